// A throwaway custom resource kind for engine tests: status subresource on, any fields kept
// (or a status schema of the test's own, so the apiserver rejects a status that does not fit).
import type { KubeClient } from '../../packages/framework/src/kube/client.ts';
import type { KubeObject } from '../../packages/framework/src/kube/object.ts';
import type { ResourceRef } from '../../packages/framework/src/kube/resource.ts';
import { eventually } from './eventually.ts';

const crds: ResourceRef = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  namespaced: false,
};

export async function ensureTestCrd(
  client: KubeClient,
  kind: string,
  group = 'test.fedora-operators',
  statusSchema?: Record<string, unknown>,
): Promise<ResourceRef> {
  const plural = `${kind.toLowerCase()}s`;
  const name = `${plural}.${group}`;
  const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  await client.apply(
    crds,
    {
      metadata: { name },
      spec: {
        group,
        scope: 'Namespaced',
        names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: { type: 'object', properties: { spec: open, status: statusSchema ?? open } },
            },
          },
        ],
      },
    },
    { fieldManager: 'tests' },
  );
  await eventually(
    async () => {
      const crd = await client.get<KubeObject<unknown, { conditions?: { type: string; status: string }[] }>>(
        crds,
        undefined,
        name,
      );
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    },
    { what: `CRD ${name} to be Established` },
  );
  // Discovery can lag Established by a moment; the operator checks it at start.
  await eventually(async () => {
    const list = await client.http.request<{ resources: { name: string }[] }>('GET', `/apis/${group}/v1`);
    return list.resources.some((r) => r.name === plural);
  });
  return { group, version: 'v1', kind, plural, namespaced: true };
}
