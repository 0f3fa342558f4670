// Turns an apiVersion + kind into a ResourceRef (plural, scope) by asking the apiserver.
import type { KubeClient } from './client.js';
import type { ResourceRef } from './resource.js';

interface ApiResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

export async function resolveKind(
  client: KubeClient,
  apiVersion: string,
  kind: string,
): Promise<ResourceRef | undefined> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
  try {
    const list = await client.http.request<ApiResourceList>('GET', path);
    const found = list.resources.find((r) => r.kind === kind && !r.name.includes('/'));
    return (
      found && {
        group: group ?? '',
        version: version ?? '',
        kind,
        plural: found.name,
        namespaced: found.namespaced,
      }
    );
  } catch {
    return undefined;
  }
}
