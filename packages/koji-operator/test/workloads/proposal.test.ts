// The proposal's five CRs as written (examples/, which fixes only YAML errors), with the
// Secrets and ConfigMaps it lists (examples/gen-certs.sh, postgres-secret.yaml,
// configmaps.yaml) and no environment override: every CR turns Ready, and the names the CRs
// use reach the hub. The emulator stands in for the hub's pods (KWOK runs none): it serves
// gen-certs.sh's hub certificate and trusts its CA, and the test's service dialer
// (support/service-dialer.ts) plays cluster DNS and kube-proxy, from a Service name through the
// Service's EndpointSlices to a hub pod, which is the emulator. A name no Service has, or a
// certificate that does not carry the name, fails here as it would in the cluster.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '@fedora-operators/framework';
import type { RunningOperator } from '@fedora-operators/framework/testing';
import { startKojiHub, type KojiHubHandle } from '../../../../test/koji-hub/hub.ts';
import { HubClientFactory } from '../../src/hub-connection/index.js';
import { KojiClient, type HubDialer } from '../../src/koji/index.js';
import { Resources } from '../../src/manifests/index.js';
import {
  condition,
  create,
  createTestNamespace,
  isReady,
  provideVolume,
  readYaml,
  repoRoot,
  resourceOf,
  startKojiOperator,
  type TestNamespace,
} from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { hubPodsAre, serviceDialer, type Endpoint } from '../support/service-dialer.js';

let ns: TestNamespace;
let operator: RunningOperator;
let hub: KojiHubHandle;
let factory: HubClientFactory;
let pki: string;
const dialed: string[] = [];
const crs = ['koji-hub', 'koji-web', 'kojira', 'koji-builder', 'koji-user'];

/** A hub pod's endpoint is the emulator; anything else is not reachable from here. */
const reachHubPod = (endpoint: Endpoint) => hubPodsAre(ns.client, () => hub.port)(endpoint);

const secretData = async (name: string, key: string) =>
  Buffer.from(
    ((await ns.client.get(Resources.secret, ns.name, name)).data as Record<string, string>)[key] ?? '',
    'base64',
  ).toString('utf8');

beforeAll(async () => {
  expect(process.env.KOJI_OPERATOR_HUB_URL).toBeUndefined();
  ns = await createTestNamespace('proposal');
  pki = mkdtempSync(join(tmpdir(), 'proposal-pki.'));
  execFileSync('bash', [join(repoRoot, 'examples/gen-certs.sh'), pki], {
    env: { ...process.env, NAMESPACE: ns.name },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const listed = [
    ...parseAllDocuments(readFileSync(join(pki, 'secrets.yaml'), 'utf8')).map(
      (d) => d.toJS() as KubeObject | null,
    ),
    ...readYaml('examples/postgres-secret.yaml'),
    ...readYaml('examples/configmaps.yaml'),
  ];
  for (const object of listed) if (object) await create(ns.client, ns.name, object);
  // No provisioner in the test cluster: volumes for the hub's claims to bind to.
  await provideVolume(ns.client, ns.name, 'koji-hub-httpd-pvc', '1Gi', 'ReadWriteOnce');
  await provideVolume(ns.client, ns.name, 'koji-hub-mnt-pvc', '10Gi', 'ReadWriteMany');
  hub = await startKojiHub({
    ca: { certPath: join(pki, 'ca.crt'), keyPath: join(pki, 'ca.key') },
    serverCert: { certPath: join(pki, 'hub-service.crt'), keyPath: join(pki, 'hub-service.key') },
  });
  // No urlFor: the operator's default URL, the hub's Service name, through the dialer.
  factory = new HubClientFactory({ transport: { dial: serviceDialer(ns.client, reachHubPod, { dialed }) } });
  operator = await startKojiOperator(ns.name, factory);
  for (const file of crs) {
    const [object] = readYaml(`examples/${file}.yaml`);
    if (!object) throw new Error(`examples/${file}.yaml is empty`);
    await create(ns.client, ns.name, object);
  }
}, 180_000);

afterAll(async () => {
  await operator?.stop();
  await factory?.close();
  await ns?.dispose();
  await hub?.stop();
  if (pki) rmSync(pki, { recursive: true, force: true });
});

test.each(crs)('the proposal’s %s turns Ready=True', async (file) => {
  const [object] = readYaml(`examples/${file}.yaml`) as [KubeObject];
  await eventually(
    async () => isReady(await ns.client.find(resourceOf(object), ns.name, object.metadata.name ?? '')),
    { what: `${object.kind} ${object.metadata.name} Ready`, timeoutMs: 120_000 },
  ).catch(async (error: unknown) => {
    const current = await ns.client.find(resourceOf(object), ns.name, object.metadata.name ?? '');
    throw new Error(`${String(error)}\n${JSON.stringify(current?.status, null, 2)}\n${hub.logTails(20)}`);
  });
});

test("the operator reached the hub under its Service's name, with no override", () => {
  expect(new Set(dialed)).toEqual(new Set([`mb-koji-hub.${ns.name}.svc:8443`]));
});

test("KojiWeb's koji_hub:8443 is rewritten to the koji-hub Service, and status says so", async () => {
  const web = await ns.client.get(Resources.kojiWeb, ns.name, 'koji-web');
  expect(condition(web, 'HubAddress')).toMatchObject({ status: 'True', reason: 'Rewritten' });
  expect((web.status as { hubUrl?: string }).hubUrl).toBe('https://koji-hub:8443/kojihub');
});

// Each dependent's own config, certificate and CA, as its pod would use them: the name its
// config file names resolves (in its namespace) to the hub, TLS verifies it, and the hub logs
// the component in as its koji user.
test.each([
  ['kojira', 'kojira-config', 'kojira.conf', /^server = (.+)$/m, 'kojira-client-cert', 'kojira'],
  ['kojid', 'default-config', 'kojid.conf', /^server = (.+)$/m, 'koji-builder-client-cert', 'default-0'],
  ['kojiweb', 'koji-web-config', 'web.conf', /^KojiHubURL = (.+)$/m, 'koji-web-client-cert', 'kojiweb'],
])(
  '%s reaches the hub at the URL its config names, as its koji user',
  async (_what, cm, key, pattern, secret, user) => {
    const config = await ns.client.get(Resources.configMap, ns.name, cm);
    const url = pattern.exec((config.data as Record<string, string>)[key] ?? '')?.[1];
    expect(url).toMatch(/^https:\/\/koji-hub:8443\/kojihub$/);
    const podDialer: HubDialer = serviceDialer(ns.client, reachHubPod, { searchNamespace: ns.name });
    const client = new KojiClient({
      hubUrl: url ?? '',
      ca: await secretData('koji-hub-ca-cert', 'ca.crt'),
      cert: await secretData(secret, 'tls.crt'),
      key: await secretData(secret, 'tls.key'),
      dial: podDialer,
      retry: { attempts: 1 },
    });
    try {
      expect(await client.getLoggedInUser()).toMatchObject({ name: user });
    } finally {
      await client.close();
    }
  },
);

test("builders fetch /kojifiles from the hub's own Service (plain HTTP, as the proposal's hub serves it)", async () => {
  const config = await ns.client.get(Resources.configMap, ns.name, 'default-config');
  expect((config.data as Record<string, string>)['kojid.conf']).toContain(
    `topurl = http://mb-koji-hub.${ns.name}.svc:8080/kojifiles`,
  );
});
