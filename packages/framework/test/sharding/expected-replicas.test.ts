// `shards: 'auto'`: the replica count comes from the Deployment that owns this pod, followed
// through its ReplicaSet, as the kube-controller-manager of the test cluster creates them.
import type { KubeObject } from '@fedora-operators/framework';
import { deploymentReplicas } from '../../src/sharding/expected-replicas.ts';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { eventually } from '../../../../test/support/eventually.ts';

const deployments = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  namespaced: true,
};
const pods = { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true };
let ns: TestNamespace;

beforeAll(async () => {
  ns = await createTestNamespace('auto-shards');
});
afterAll(async () => {
  await ns.dispose();
});

test("a pod of a Deployment reads the Deployment's replicas; anything else says why and gives none", async () => {
  await ns.client.create(deployments, {
    metadata: { name: 'op', namespace: ns.name },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'op' } },
      template: {
        metadata: { labels: { app: 'op' } },
        spec: { containers: [{ name: 'op', image: 'registry.invalid/op:1' }] },
      },
    },
  } as KubeObject);
  const pod = await eventually(
    async () => (await ns.client.list<KubeObject>(pods, ns.name)).items[0]?.metadata.name,
    { what: 'a pod of the Deployment (made by the controller-manager)' },
  );
  const warnings: string[] = [];
  const warn = (text: string) => warnings.push(text);
  expect(await deploymentReplicas(ns.client, ns.name, pod, warn)).toBe(3);
  expect(warnings).toEqual([]);

  await ns.client.create(pods, {
    metadata: { name: 'loose', namespace: ns.name },
    spec: { containers: [{ name: 'op', image: 'registry.invalid/op:1' }] },
  } as KubeObject);
  expect(await deploymentReplicas(ns.client, ns.name, 'loose', warn)).toBeUndefined();
  expect(await deploymentReplicas(ns.client, ns.name, 'no-such-pod', warn)).toBeUndefined();
  expect(await deploymentReplicas(ns.client, undefined, undefined, warn)).toBeUndefined();
  expect(warnings).toEqual([
    'pod loose belongs to no Deployment: waiting the settle time instead',
    expect.stringMatching(
      /^could not read this pod's Deployment \(.*"no-such-pod" not found\): waiting the settle time instead$/,
    ),
    "shards: 'auto' outside a pod (POD_NAME/POD_NAMESPACE unset): waiting the settle time instead",
  ]);
}, 60_000);
