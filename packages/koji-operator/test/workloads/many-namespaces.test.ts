// One Koji operator serving 20 namespaces, each with the proposal's five CRs and the Secrets and
// ConfigMaps it lists (issue 15): every CR turns Ready, and the operator holds exactly one
// watch per kind it uses per namespace (shared by its five controllers and by every @Owns,
// @Watches and related use), read from its own `operator_watches` gauge. Before shared watches
// it held 37 per namespace, so four namespaces exhausted the HTTP pool and nothing got Ready.
// One hub emulator stands in for the twenty hubs: one CA (examples/gen-certs.sh's, applied in
// every namespace) and one server certificate naming every namespace's hub Services.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '@fedora-operators/framework';
import { openWatches, startOperator, type RunningOperator } from '@fedora-operators/framework/testing';
import { startKojiHub, type KojiHubHandle } from '../../../../test/koji-hub/hub.ts';
import { HubClientFactory } from '../../src/hub-connection/index.js';
import { kojiControllers, options } from '../../src/main.js';
import {
  create,
  createTestNamespace,
  isReady,
  provideVolume,
  readYaml,
  repoRoot,
  resourceOf,
  testClient,
  type TestNamespace,
} from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { hubPodsAre, serviceDialer } from '../support/service-dialer.js';

const COUNT = 20;
const crs = ['koji-hub', 'koji-web', 'kojira', 'koji-builder', 'koji-user'];
const kube = testClient();
const namespaces: TestNamespace[] = [];
let operator: RunningOperator;
let hub: KojiHubHandle;
let factory: HubClientFactory;
let pki: string;

/** gen-certs.sh's hub certificate again, from its CA, naming the hub Services of every namespace. */
function hubCertificateForAll(names: string[]): { certPath: string; keyPath: string } {
  const sans = names
    .flatMap((ns) => ['mb-koji-hub', 'koji-hub'].flatMap((svc) => [`${svc}.${ns}`, `${svc}.${ns}.svc`]))
    .map((host) => `DNS:${host}`)
    .join(',');
  const file = (name: string) => join(pki, name);
  writeFileSync(file('all.ext'), `basicConstraints=CA:FALSE\nsubjectAltName=${sans},DNS:localhost\n`);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/O=Koji Example/CN=mb-koji-hub'].concat([
      '-keyout',
      file('all.key'),
      '-out',
      file('all.csr'),
    ]),
  );
  openssl(
    ['x509', '-req', '-in', file('all.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key')].concat([
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      file('all.ext'),
      '-out',
      file('all.crt'),
    ]),
  );
  return { certPath: file('all.crt'), keyPath: file('all.key') };
}

beforeAll(async () => {
  namespaces.push(
    ...(await Promise.all(Array.from({ length: COUNT }, (_, i) => createTestNamespace(`koji${i}`)))),
  );
  const names = namespaces.map((ns) => ns.name);
  pki = mkdtempSync(join(tmpdir(), 'many-pki.'));
  execFileSync('bash', [join(repoRoot, 'examples/gen-certs.sh'), pki], {
    env: { ...process.env, NAMESPACE: names[0] },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const serverCert = hubCertificateForAll(names);
  const b64 = (path: string) => readFileSync(path).toString('base64');
  const secrets = parseAllDocuments(readFileSync(join(pki, 'secrets.yaml'), 'utf8'))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((d): d is KubeObject => d !== null)
    .map((secret) =>
      secret.metadata.name === 'koji-hub-service-cert'
        ? {
            ...secret,
            data: {
              ...(secret.data as Record<string, string>),
              'tls.crt': b64(serverCert.certPath),
              'tls.key': b64(serverCert.keyPath),
            },
          }
        : secret,
    );
  const listed = [
    ...secrets,
    ...readYaml('examples/postgres-secret.yaml'),
    ...readYaml('examples/configmaps.yaml'),
  ];
  // Namespaces in parallel, each one's objects in order (as kubectl apply would).
  await Promise.all(
    namespaces.map(async (ns) => {
      for (const object of listed) await create(ns.client, ns.name, object);
      await provideVolume(ns.client, ns.name, 'koji-hub-httpd-pvc', '1Gi', 'ReadWriteOnce');
      await provideVolume(ns.client, ns.name, 'koji-hub-mnt-pvc', '10Gi', 'ReadWriteMany');
    }),
  );
  hub = await startKojiHub({
    ca: { certPath: join(pki, 'ca.crt'), keyPath: join(pki, 'ca.key') },
    serverCert,
  });
  factory = new HubClientFactory({
    transport: {
      dial: serviceDialer(
        kube,
        hubPodsAre(kube, () => hub.port),
      ),
    },
  });
  operator = await startOperator(
    kojiControllers(factory),
    { ...options, namespaces: names, resyncSeconds: 0 },
    { syncTimeoutMs: 60_000 },
  );
  await Promise.all(
    namespaces.map(async (ns) => {
      for (const file of crs)
        await create(ns.client, ns.name, readYaml(`examples/${file}.yaml`)[0] as KubeObject);
    }),
  );
}, 300_000);

afterAll(async () => {
  await operator?.stop();
  await factory?.close();
  for (const ns of namespaces) await ns.dispose();
  await hub?.stop();
  kube.close();
  if (pki) rmSync(pki, { recursive: true, force: true });
});

test('one watch per kind the operator uses, per namespace it serves', async () => {
  const counts = await openWatches(operator.operator);
  const kinds = [
    'configmaps.core',
    'deployments.apps',
    'ingresses.networking.k8s.io',
    'jobs.batch',
    'kojibuilders.koji.fedoraproject.org',
    'kojihubs.koji.fedoraproject.org',
    'kojiras.koji.fedoraproject.org',
    'kojiusers.koji.fedoraproject.org',
    'kojiwebs.koji.fedoraproject.org',
    'persistentvolumeclaims.core',
    'poddisruptionbudgets.policy',
    'secrets.core',
    'services.core',
    'statefulsets.apps',
  ];
  const expected = Object.fromEntries(
    namespaces.flatMap((ns) => kinds.map((kind) => [`${kind} ${ns.name}`, 1])),
  );
  expect(Object.fromEntries(counts)).toEqual(expected);
});

test(`every proposal CR in all ${COUNT} namespaces turns Ready=True`, async () => {
  const pending = () =>
    Promise.all(
      namespaces.flatMap((ns) =>
        crs.map(async (file) => {
          const object = readYaml(`examples/${file}.yaml`)[0] as KubeObject;
          const name = object.metadata.name ?? '';
          return isReady(await ns.client.find(resourceOf(object), ns.name, name))
            ? []
            : [`${ns.name}/${object.kind}`];
        }),
      ),
    ).then((lists) => lists.flat());
  const started = Date.now();
  await eventually(async () => (await pending()).length === 0, {
    what: `all ${COUNT * crs.length} CRs Ready`,
    timeoutMs: 170_000,
    intervalMs: 2_000,
  }).catch(async (error: unknown) => {
    throw new Error(`${String(error)}; not Ready: ${(await pending()).join(', ')}\n${hub.logTails(20)}`);
  });
  process.stderr.write(
    `all ${COUNT * crs.length} CRs Ready ${((Date.now() - started) / 1000).toFixed(1)} s (created just before)\n`,
  );
}, 210_000);
