// The koji side of the workload controllers, in-process against a real control plane (KWOK
// runs the pods) and the koji hub emulator: a KojiBuilder's replicas become koji hosts with
// their own issued certificates, scaling and deleting disable hosts, and kojira's and kojiweb's
// koji users exist. Koji's side is checked with the real koji CLI or a separate admin client.
import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';

import type { KubeObject } from '@fedora-operators/framework';
import { startOperator, waitForObject, type RunningOperator } from '@fedora-operators/framework/testing';

import { startKojiHub, type KojiHubHandle } from '../../../../test/koji-hub/hub.ts';
import type { KojiBuilder } from '../../src/api/koji-builder.js';
import { readSecretData } from '../../src/certs/index.js';
import { KojiBuilderController, KojiraController, KojiWebController } from '../../src/controllers/index.js';
import { HubClientFactory } from '../../src/hub-connection/index.js';
import { KojiClient, UserStatus } from '../../src/koji/index.js';
import { Resources } from '../../src/manifests/index.js';
import { createBoundClaim, createTestNamespace, type TestNamespace } from '../support/cluster.js';
import { connectNamespaceToHub, type EmulatedHubConnection } from '../support/emulated-hub.js';

let hub: KojiHubHandle;
let ns: TestNamespace;
let operator: RunningOperator;
let connection: EmulatedHubConnection;
let factory: HubClientFactory;
let admin: KojiClient;

type Condition = { type: string; status: string; reason: string; message: string };
const condition = (o: KubeObject | undefined, type: string) =>
  (o?.status as { conditions?: Condition[] } | undefined)?.conditions?.find((c) => c.type === type);
const ready = (o: KubeObject | undefined) => condition(o, 'Ready')?.status === 'True';

function waitFor<T extends KubeObject>(
  resource: typeof Resources.kojiBuilder,
  name: string,
  predicate: (o: T | undefined) => boolean,
  timeoutMs = 60_000,
) {
  return waitForObject<T>(ns.client, resource, ns.name, name, predicate, { timeoutMs });
}

/** Each host the real koji CLI lists, and whether it is enabled (its "Enb" column). */
function cliHostsEnabled(): Record<string, boolean> {
  const out = hub.koji(hub.adminUser, ['list-hosts', '--quiet']);
  if (out.code !== 0) throw new Error(`koji list-hosts failed: ${out.stderr}`);
  return Object.fromEntries(
    out.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(/\s+/))
      .map(([name, enabled]) => [name ?? '', enabled === 'Y']),
  );
}

const channelsOf = async (host: string) =>
  (await admin.listChannels({ hostID: host })).map((c) => c.name).sort();

async function create(resource: typeof Resources.kojiBuilder, name: string, spec: object): Promise<void> {
  await ns.client.create(resource, {
    apiVersion: 'koji.fedoraproject.org/v1alpha1',
    kind: resource.kind,
    metadata: { name, namespace: ns.name },
    spec,
  });
}

beforeAll(async () => {
  hub = await startKojiHub();
  ns = await createTestNamespace('koji-builder');
  // The hub's client CA Secret holds its key: the operator issues the missing client certificates.
  connection = await connectNamespaceToHub(hub, ns);
  ({ factory, admin } = connection);
  await createBoundClaim(ns.client, ns.name, 'koji-mnt');
  const retry = { retry: { initialSeconds: 1, maxSeconds: 3 } };
  operator = await startOperator(
    [
      [KojiBuilderController, factory, retry],
      [KojiraController, factory, retry],
      [KojiWebController, factory, retry],
    ],
    { namespaces: [ns.name], readyCondition: 'manual' },
  );
}, 180_000);

afterAll(async () => {
  await operator?.stop();
  await connection?.close();
  await ns?.dispose();
  await hub?.stop();
});

const builderSpec = (replicas: number) => ({
  replicas,
  cacert_secret: 'koji-hub-ca',
  client_cert_secret: 'bld-certs',
  koji_hub_url: 'https://koji-hub:8443',
  shared_pvc: 'koji-mnt',
  host_archs: ['x86_64', 'aarch64'],
  channels: ['default', 'createrepo'],
});

describe('KojiBuilder', () => {
  test('2 replicas register 2 koji hosts with the arches and channels of the spec, and turn Ready', async () => {
    await create(Resources.kojiBuilder, 'bld', builderSpec(2));
    const builder = await waitFor<KojiBuilder>(Resources.kojiBuilder, 'bld', ready, 90_000);
    expect(condition(builder, 'KojiSynced')).toMatchObject({ status: 'True', reason: 'InSync' });
    expect(builder?.status?.readyReplicas).toBe(2);
    expect(builder?.status?.hosts?.map((h) => [h.name, h.enabled])).toEqual([
      ['bld-0', true],
      ['bld-1', true],
    ]);
    expect(cliHostsEnabled()).toMatchObject({ 'bld-0': true, 'bld-1': true });
    for (const name of ['bld-0', 'bld-1']) {
      expect(await admin.getHost(name)).toMatchObject({ arches: 'x86_64 aarch64', enabled: true });
      expect(await channelsOf(name)).toEqual(['createrepo', 'default']);
    }
  });

  test("each replica's certificate is issued into the missing Secret, and the hub logs it in as its host", async () => {
    const data = await readSecretData(ns.client, ns.name, 'bld-certs');
    expect(Object.keys(data ?? {}).sort()).toEqual(['bld-0.pem', 'bld-1.pem', 'ca.crt']);
    for (const name of ['bld-0', 'bld-1']) {
      const pem = data?.[`${name}.pem`] ?? '';
      expect(new X509Certificate(pem).subject).toBe(`CN=${name}`);
      // The key in the same file, as kojid reads it.
      const key = createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString();
      const host = new KojiClient({ hubUrl: hub.url, ca: readFileSync(hub.caCertPath), cert: pem, key });
      try {
        // The TLS client auth and sslLogin accept it, and koji sees the host's user.
        expect(await host.getLoggedInUser()).toMatchObject({ name });
      } finally {
        await host.close();
      }
    }
  });

  test('scaling to 1 disables the second host and keeps the first', async () => {
    await ns.client.mergePatch(Resources.kojiBuilder, ns.name, 'bld', { spec: { replicas: 1 } });
    const builder = await waitFor<KojiBuilder>(
      Resources.kojiBuilder,
      'bld',
      (o) => o?.status?.hosts?.find((h) => h.name === 'bld-1')?.enabled === false && ready(o),
    );
    expect(builder?.status?.hosts?.map((h) => [h.name, h.enabled])).toEqual([
      ['bld-0', true],
      ['bld-1', false],
    ]);
    expect(await admin.getHost('bld-0')).toMatchObject({ enabled: true });
    expect(await admin.getHost('bld-1')).toMatchObject({ enabled: false });
    expect(cliHostsEnabled()).toMatchObject({ 'bld-0': true, 'bld-1': false });
  });

  test('a hub that is down gives Ready=False HubUnavailable; the scale-up made meanwhile lands when it is back', async () => {
    await hub.stopHub();
    try {
      await ns.client.mergePatch(Resources.kojiBuilder, ns.name, 'bld', { spec: { replicas: 2 } });
      const down = await waitFor<KojiBuilder>(
        Resources.kojiBuilder,
        'bld',
        (o) => condition(o, 'Ready')?.reason === 'HubUnavailable',
      );
      expect(condition(down, 'KojiSynced')).toMatchObject({
        status: 'False',
        reason: 'HubUnavailable',
        message: expect.stringMatching(/retrying in \d+s/),
      });
    } finally {
      await hub.startHub();
    }
    await waitFor<KojiBuilder>(
      Resources.kojiBuilder,
      'bld',
      (o) => ready(o) && o?.status?.hosts?.filter((h) => h.enabled).length === 2,
      90_000,
    );
    // The certificate of replica 1 was kept from before: the same Secret key, not reissued.
    expect(await admin.getHost('bld-1')).toMatchObject({ enabled: true });
  });

  test("HTTPS /kojifiles with the hub's private CA: the kojid pods trust the CA and mock copies it into the buildroots (BuildrootFiles True); plain HTTP when the hub serves it", async () => {
    // The namespace's KojiHub has http_enabled unset (false): kojid's topurl is HTTPS.
    const before = await waitFor<KojiBuilder>(
      Resources.kojiBuilder,
      'bld',
      (o) => condition(o, 'BuildrootFiles')?.reason === 'HubCaProvided',
    );
    expect(condition(before, 'BuildrootFiles')).toMatchObject({ status: 'True' });
    expect(condition(before, 'BuildrootFiles')?.message).toContain("KojiHub koji-hub's private CA");
    const config = await ns.client.get(Resources.configMap, ns.name, 'bld-config');
    expect(JSON.stringify(config?.data)).toContain('topurl = https://');
    expect((config?.data as Record<string, string>)['site-defaults.cfg']).toContain(
      "config_opts['ssl_copied_ca_trust_dirs']",
    );
    // As the apiserver stored it: the anchor from the builder's CA Secret, the init container
    // that rebuilds the bundles, and the operator's site-defaults.cfg mounted for mock.
    const sts = await ns.client.get(Resources.statefulSet, ns.name, 'bld');
    const pod = (sts?.spec as { template: { spec: Record<string, unknown> } }).template.spec as {
      volumes: { name: string; secret?: { secretName: string }; configMap?: { name: string } }[];
      initContainers: { name: string }[];
      containers: { volumeMounts: { mountPath: string }[] }[];
    };
    const cacert = (before?.spec as { cacert_secret: string }).cacert_secret;
    expect(pod.volumes.find((v) => v.name === 'hub-ca-anchor')?.secret?.secretName).toBe(cacert);
    expect(pod.volumes.find((v) => v.name === 'mock-site-defaults')?.configMap?.name).toBe('bld-config');
    expect(pod.initContainers.map((c) => c.name)).toEqual(['select-identity', 'trust-hub-ca']);
    expect(pod.containers[0]?.volumeMounts.map((m) => m.mountPath)).toEqual(
      expect.arrayContaining([
        '/etc/pki/ca-trust/source/anchors/koji-hub-ca.crt',
        '/etc/pki/ca-trust/extracted',
        '/etc/mock/site-defaults.cfg',
      ]),
    );
    await ns.client.mergePatch(Resources.kojiHub, ns.name, 'koji-hub', { spec: { http_enabled: true } });
    const after = await waitFor<KojiBuilder>(
      Resources.kojiBuilder,
      'bld',
      (o) => condition(o, 'BuildrootFiles')?.reason === 'PlainHttp',
    );
    expect(condition(after, 'BuildrootFiles')).toMatchObject({ status: 'True' });
    const plain = await ns.client.get(Resources.configMap, ns.name, 'bld-config');
    expect(JSON.stringify(plain?.data)).toContain('topurl = http://koji-hub.');
    await ns.client.mergePatch(Resources.kojiHub, ns.name, 'koji-hub', { spec: { http_enabled: null } });
  });

  test('deleting the KojiBuilder disables all its hosts (koji cannot delete hosts)', async () => {
    await ns.client.delete(Resources.kojiBuilder, ns.name, 'bld');
    await waitFor<KojiBuilder>(Resources.kojiBuilder, 'bld', (o) => o === undefined);
    for (const name of ['bld-0', 'bld-1']) {
      expect(await admin.getHost(name)).toMatchObject({ name, enabled: false });
    }
  });
});

describe("kojira's and kojiweb's koji users", () => {
  test('a Kojira makes its koji user with the repo permission, and its missing certificate is issued', async () => {
    await create(Resources.kojira, 'kojira', {
      hub_host: 'https://koji-hub:8443',
      hub_username: 'kojira-svc',
      cacert_secret: 'koji-hub-ca',
      client_cert_secret: 'kojira-cert',
      shared_pvc: 'koji-mnt',
    });
    const kojira = await waitFor(Resources.kojira, 'kojira', ready, 90_000);
    expect(condition(kojira, 'KojiSynced')).toMatchObject({ status: 'True' });
    expect(await admin.getUser('kojira-svc')).toMatchObject({ status: UserStatus.NORMAL });
    const perms = hub.koji(hub.adminUser, ['list-permissions', '--user', 'kojira-svc']);
    expect(perms.stdout).toMatch(/^repo\b/m);
    const data = await readSecretData(ns.client, ns.name, 'kojira-cert');
    expect(new X509Certificate(data?.['tls.crt'] ?? '').subject).toBe('CN=kojira-svc');
  });

  test('a KojiWeb makes its koji user', async () => {
    await create(Resources.kojiWeb, 'web', {
      hub_host: 'https://koji-hub:8443',
      cacert_secret: 'koji-hub-ca',
      client_cert_secret: 'kojiweb-cert',
    });
    const web = await waitFor(Resources.kojiWeb, 'web', ready, 90_000);
    expect(condition(web, 'KojiSynced')).toMatchObject({ status: 'True' });
    expect(await admin.getUser('kojiweb')).toMatchObject({ status: UserStatus.NORMAL });
  });
});
