// The proposal's CRs (examples/*.yaml), applied unchanged to a real control plane with the
// operator running: each gets exactly its children, owned by it, turns Ready once KWOK
// reports its pods Ready and its koji side is in sync (the koji hub emulator stands in for the
// hub KWOK cannot run), and takes its children with it when deleted.
import { readFileSync } from 'node:fs';
import type { KubeObject } from '@fedora-operators/framework';
import type { RunningOperator } from '@fedora-operators/framework/testing';
import { startKojiHub, type KojiHubHandle } from '../../../../test/koji-hub/hub.ts';
import { HubClientFactory } from '../../src/hub-connection/index.js';
import { Resources } from '../../src/manifests/index.js';
import {
  childResources,
  create,
  createExampleReferences,
  createTestNamespace,
  isReady,
  ownedChildren,
  provideVolume,
  readYaml,
  resourceOf,
  startKojiOperator,
  type TestNamespace,
} from '../support/cluster.js';
import { emulatorAdminClient } from '../support/emulated-hub.js';
import { eventually } from '../support/eventually.js';

let ns: TestNamespace;
let operator: RunningOperator;
let hub: KojiHubHandle;
let factory: HubClientFactory;
const created = new Map<string, KubeObject>();

beforeAll(async () => {
  hub = await startKojiHub();
  ns = await createTestNamespace('examples');
  await createExampleReferences(ns.client, ns.name, {
    'koji-hub-ca-cert': { 'ca.crt': readFileSync(hub.caCertPath, 'utf8') },
    'koji-admin-client-cert': {
      'tls.crt': readFileSync(hub.adminCertPath, 'utf8'),
      'tls.key': readFileSync(hub.adminKeyPath, 'utf8'),
      'ca.crt': readFileSync(hub.caCertPath, 'utf8'),
    },
  });
  // The example hub is persistent: its claims need volumes to bind to before pods schedule.
  await provideVolume(ns.client, ns.name, 'koji-hub-httpd-pvc', '1Gi', 'ReadWriteOnce');
  await provideVolume(ns.client, ns.name, 'koji-hub-mnt-pvc', '10Gi', 'ReadWriteMany');
  factory = new HubClientFactory({ urlFor: () => hub.url });
  operator = await startKojiOperator(ns.name, factory);
  for (const file of ['koji-hub', 'koji-web', 'kojira', 'koji-builder']) {
    const [object] = readYaml(`examples/${file}.yaml`);
    if (!object) throw new Error(`examples/${file}.yaml is empty`);
    created.set(file, await create(ns.client, ns.name, object));
  }
});

afterAll(async () => {
  await operator?.stop();
  await factory?.close();
  await ns?.dispose();
  await hub?.stop();
});

const expected: Record<string, string[]> = {
  'koji-hub': [
    'ConfigMap/mb-koji-hub-config',
    'Deployment/mb-koji-hub',
    'Job/mb-koji-hub-db-schema',
    // The proposal's dependents name the hub koji-hub.
    'Service/koji-hub',
    'Service/mb-koji-hub',
  ],
  'koji-web': [
    'ConfigMap/koji-web-config',
    'Deployment/koji-web',
    'Secret/koji-web-session',
    'Service/koji-web',
  ],
  kojira: ['ConfigMap/kojira-config', 'Deployment/kojira'],
  'koji-builder': ['ConfigMap/default-config', 'Service/default', 'StatefulSet/default'],
};

test.each(Object.keys(expected))('example %s gets exactly its children, owned by it', async (file) => {
  const cr = created.get(file) as KubeObject;
  await eventually(
    async () => {
      const children = await ownedChildren(ns.client, ns.name, cr.metadata.uid ?? '', childResources);
      return JSON.stringify(children) === JSON.stringify(expected[file]) ? children : undefined;
    },
    { what: `the children of ${cr.kind} ${cr.metadata.name}` },
  ).catch(async (error: unknown) => {
    // Show what there is rather than only that the wait timed out.
    const children = await ownedChildren(ns.client, ns.name, cr.metadata.uid ?? '', childResources);
    expect(children).toEqual(expected[file]);
    throw error;
  });
});

test.each(Object.keys(expected))('example %s turns Ready once its pods are Ready', async (file) => {
  const cr = created.get(file) as KubeObject;
  const ready = await eventually(
    async () => {
      const current = await ns.client.get(resourceOf(cr), ns.name, cr.metadata.name ?? '');
      return isReady(current) ? current : undefined;
    },
    { what: `${cr.kind} ${cr.metadata.name} Ready`, timeoutMs: 90_000 },
  );
  expect((ready.status as { readyReplicas?: number }).readyReplicas).toBe(1);
});

test('the hub reports its in-cluster URL, and the admin sidecar of `sidecar: true` is there', async () => {
  const hub = await ns.client.get(Resources.kojiHub, ns.name, 'mb-koji-hub');
  expect((hub.status as { hubUrl?: string }).hubUrl).toBe(`https://mb-koji-hub.${ns.name}.svc:8443/kojihub`);
  const deployment = await ns.client.get(Resources.deployment, ns.name, 'mb-koji-hub');
  const containers = (deployment.spec as { template: { spec: { containers: { name: string }[] } } }).template
    .spec.containers;
  expect(containers.map((c) => c.name)).toEqual(['koji-hub', 'koji-admin']);
});

test("the examples' koji side: the builder's host, kojira's and kojiweb's users exist in koji", async () => {
  const admin = emulatorAdminClient(hub);
  try {
    expect(await admin.getHost('default-0')).toMatchObject({ enabled: true });
    expect(await admin.getUser('kojira')).toMatchObject({ name: 'kojira' });
    expect(await admin.getUser('kojiweb')).toMatchObject({ name: 'kojiweb' });
  } finally {
    await admin.close();
  }
});

test('deleting each example removes its children (garbage collection)', async () => {
  // Dependents first: the hub's /mnt/koji claim is protected while kojira's and the
  // builders' pods still use it (kubernetes.io/pvc-protection), as in a real cluster.
  for (const file of ['koji-builder', 'kojira', 'koji-web', 'koji-hub']) {
    const cr = created.get(file) as KubeObject;
    await ns.client.delete(resourceOf(cr), ns.name, cr.metadata.name ?? '');
    await eventually(
      async () =>
        (await ownedChildren(ns.client, ns.name, cr.metadata.uid ?? '', childResources)).length === 0,
      { what: `the children of ${file} to be deleted`, timeoutMs: 60_000 },
    );
  }
});
