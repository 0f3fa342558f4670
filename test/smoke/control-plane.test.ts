// Proves the local control plane is real and complete enough for operator tests: CRDs are
// served (create, list, watch), Deployments get Ready pods on the KWOK node (controller-
// manager + scheduler + KWOK), and the garbage collector deletes owned objects.
import type { KubeClient } from '../../packages/framework/src/kube/client.ts';
import type { KubeObject } from '../../packages/framework/src/kube/object.ts';
import type { ResourceRef } from '../../packages/framework/src/kube/resource.ts';
import { CoreResources } from '../../packages/framework/src/kube/resource.ts';
import { createTestNamespace, type TestNamespace } from '../support/cluster.ts';
import { eventually } from '../support/eventually.ts';

const crdResource: ResourceRef = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  namespaced: false,
};
const widgets: ResourceRef = {
  group: 'smoke.test.fedora-operators',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
};

let ns: TestNamespace;
let client: KubeClient;

beforeAll(async () => {
  ns = await createTestNamespace('smoke');
  client = ns.client;
});
afterAll(async () => {
  await ns.dispose();
});

test('a CRD is installed and its custom resources are created, listed and watched', async () => {
  await client.apply(
    crdResource,
    {
      metadata: { name: `${widgets.plural}.${widgets.group}` },
      spec: {
        group: widgets.group,
        scope: 'Namespaced',
        names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
              },
            },
          },
        ],
      },
    },
    { fieldManager: 'smoke-test' },
  );
  await eventually(
    async () => {
      const crd = await client.get<KubeObject<unknown, { conditions?: { type: string; status: string }[] }>>(
        crdResource,
        undefined,
        `${widgets.plural}.${widgets.group}`,
      );
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    },
    { what: 'the CRD to be Established' },
  );

  await client.create(widgets, { metadata: { name: 'first', namespace: ns.name }, spec: { size: 1 } });
  const list = await client.list(widgets, ns.name);
  expect(list.items.map((w) => w.metadata.name)).toEqual(['first']);

  const seen: string[] = [];
  const abort = new AbortController();
  const watching = (async () => {
    const path = `/apis/${widgets.group}/v1/namespaces/${ns.name}/widgets`;
    for await (const event of client.http.stream(path, {
      query: { watch: 1, resourceVersion: list.metadata.resourceVersion },
      signal: abort.signal,
    })) {
      const { type, object } = event as { type: string; object: KubeObject };
      seen.push(`${type}:${object.metadata.name}`);
      if (seen.length === 2) abort.abort();
    }
  })().catch((error: unknown) => {
    if (!abort.signal.aborted) throw error;
  });
  await client.create(widgets, { metadata: { name: 'second', namespace: ns.name }, spec: { size: 2 } });
  await client.mergePatch(widgets, ns.name, 'first', { spec: { size: 3 } });
  await watching;
  expect(seen).toEqual(['ADDED:second', 'MODIFIED:first']);
});

test('a Deployment becomes Available with Ready pods on the KWOK node', async () => {
  await client.create(CoreResources.deployment, {
    metadata: { name: 'web', namespace: ns.name },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'registry.invalid/web:1' }] },
      },
    },
  });
  const deployment = await eventually(
    async () => {
      const d = await client.get<
        KubeObject<unknown, { availableReplicas?: number; conditions?: { type: string; status: string }[] }>
      >(CoreResources.deployment, ns.name, 'web');
      const available = d.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True');
      return available && d.status?.availableReplicas === 2 ? d : undefined;
    },
    { what: 'the Deployment to be Available with 2 replicas', timeoutMs: 60_000 },
  );
  expect(deployment.status?.availableReplicas).toBe(2);

  const list = await client.list<
    KubeObject<{ nodeName?: string }, { phase?: string; conditions?: { type: string; status: string }[] }>
  >(CoreResources.pod, ns.name, { labelSelector: 'app=web' });
  expect(list.items).toHaveLength(2);
  for (const pod of list.items) {
    expect(pod.spec?.nodeName).toBe('kwok-node-0');
    expect(pod.status?.phase).toBe('Running');
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  }
});

test('deleting an owner garbage-collects the ConfigMap it owns', async () => {
  const owner = await client.create<KubeObject>(CoreResources.configMap, {
    metadata: { name: 'owner', namespace: ns.name },
    data: { a: '1' },
  });
  await client.create(CoreResources.configMap, {
    metadata: {
      name: 'owned',
      namespace: ns.name,
      ownerReferences: [
        { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid ?? '' },
      ],
    },
    data: { b: '2' },
  });
  await client.delete(CoreResources.configMap, ns.name, 'owner');
  await eventually(async () => (await client.find(CoreResources.configMap, ns.name, 'owned')) === undefined, {
    what: 'the owned ConfigMap to be garbage-collected',
    timeoutMs: 60_000,
  });
  expect(await client.find(CoreResources.configMap, ns.name, 'owned')).toBeUndefined();
});
