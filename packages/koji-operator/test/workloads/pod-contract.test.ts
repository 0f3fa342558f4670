// The proposal's CRs on a real control plane whose namespace enforces the `restricted` Pod
// Security level: the Deployments and the StatefulSet the apiserver stores carry the image
// contract (ids, fsGroup, mounts and their modes, probes, commands); the hub's, kojiweb's and
// kojira's pods and the schema Job's are admitted under `restricted`, and kojid's, which must be privileged root for
// mock, are refused there with the reason, as README says they will be.
import type { KubeObject } from '@fedora-operators/framework';
import type { RunningOperator } from '@fedora-operators/framework/testing';
import { podContractViolations, type CheckedPod } from '../../src/images/index.js';
import { Resources } from '../../src/manifests/index.js';
import {
  create,
  createExampleReferences,
  createTestNamespace,
  provideVolume,
  readYaml,
  startKojiOperator,
  type TestNamespace,
} from '../support/cluster.js';
import { eventually } from '../support/eventually.js';

let ns: TestNamespace;
let operator: RunningOperator;
const namespaces = { kind: 'Namespace', group: '', version: 'v1', plural: 'namespaces', namespaced: false };
const events = { kind: 'Event', group: '', version: 'v1', plural: 'events', namespaced: true };

beforeAll(async () => {
  ns = await createTestNamespace('contract');
  await ns.client.mergePatch(namespaces, undefined, ns.name, {
    metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
  });
  await createExampleReferences(ns.client, ns.name);
  await provideVolume(ns.client, ns.name, 'koji-hub-httpd-pvc', '1Gi', 'ReadWriteOnce');
  await provideVolume(ns.client, ns.name, 'koji-hub-mnt-pvc', '10Gi', 'ReadWriteMany');
  operator = await startKojiOperator(ns.name);
  for (const file of ['koji-hub', 'koji-web', 'kojira', 'koji-builder']) {
    const [object] = readYaml(`examples/${file}.yaml`);
    if (!object) throw new Error(`examples/${file}.yaml is empty`);
    await create(ns.client, ns.name, object);
  }
});

afterAll(async () => {
  await operator?.stop();
  await ns?.dispose();
});

const podTemplate = (workload: KubeObject) =>
  (workload.spec as { template: { spec: CheckedPod } }).template.spec;
const configText = async (name: string) => {
  const cm = await ns.client.get(Resources.configMap, ns.name, name);
  return Object.values((cm.data as Record<string, string>) ?? {}).join('\n');
};

test.each([
  ['Deployment', 'mb-koji-hub', Resources.deployment, 'mb-koji-hub-config'],
  ['Deployment', 'koji-web', Resources.deployment, 'koji-web-config'],
  ['Deployment', 'kojira', Resources.deployment, 'kojira-config'],
  ['StatefulSet', 'default', Resources.statefulSet, 'default-config'],
] as const)('the stored %s %s carries the image contract', async (_, name, resource, config) => {
  const workload = await eventually(() => ns.client.find(resource, ns.name, name), { what: `${name}` });
  expect(podContractViolations(podTemplate(workload), await configText(config))).toEqual([]);
});

test('Secrets are mounted 0440, so only the pod user (through fsGroup) reads them', async () => {
  const hub = await eventually(() => ns.client.find(Resources.deployment, ns.name, 'mb-koji-hub'), {
    what: 'the hub Deployment',
  });
  const volumes = (podTemplate(hub).volumes ?? []) as { name: string; secret?: { defaultMode?: number } }[];
  const secrets = volumes.filter((v) => v.secret);
  expect(secrets.map((v) => v.name).sort()).toEqual(['admin-client', 'ca', 'service']);
  for (const v of secrets) expect(v.secret?.defaultMode).toBe(0o440);
  expect(podTemplate(hub).securityContext).toMatchObject({ runAsUser: 48, fsGroup: 48 });
});

test.each([
  ['koji-hub', 'mb-koji-hub'],
  ['koji-hub-db-schema', 'mb-koji-hub'],
  ['koji-web', 'koji-web'],
  ['kojira', 'kojira'],
])('%s pods are admitted under the restricted Pod Security level', async (component, instance) => {
  await eventually(
    async () => {
      const pods = await ns.client.list(Resources.pod, ns.name, {
        labelSelector: `app.kubernetes.io/name=${component},app.kubernetes.io/instance=${instance}`,
      });
      return pods.items.length > 0;
    },
    { what: `a ${component} pod` },
  );
});

test('kojid pods are refused under restricted: the namespace must allow privileged', async () => {
  const refusal = await eventually(
    async () => {
      const list = await ns.client.list<KubeObject & { reason?: string; message?: string }>(events, ns.name);
      return list.items.find(
        (e) =>
          (e as { involvedObject?: { kind?: string; name?: string } }).involvedObject?.name === 'default' &&
          e.reason === 'FailedCreate',
      );
    },
    { what: "the StatefulSet controller's FailedCreate event for the kojid pod" },
  );
  expect(refusal.message).toMatch(/violates PodSecurity "restricted:latest"/);
  expect(refusal.message).toMatch(/privileged/);
  const pods = await ns.client.list(Resources.pod, ns.name, {
    labelSelector: 'app.kubernetes.io/name=kojid',
  });
  expect(pods.items).toHaveLength(0);
});
