// How many replicas the operator's Deployment asks for (`shards: 'auto'`): this pod's
// ReplicaSet's Deployment's spec.replicas, followed through ownerReferences.
// Fails: returns undefined (and says why through `warn`) outside a pod, without RBAC to read
// pods/replicasets/deployments, or for a pod no Deployment owns; the sharder then waits only
// the settle time before its first assignment.
import type { KubeClient } from '../kube/client.js';
import type { KubeObject } from '../kube/object.js';
import { CoreResources } from '../kube/resource.js';

export async function deploymentReplicas(
  client: KubeClient,
  namespace: string | undefined,
  podName: string | undefined,
  warn: (text: string) => void,
): Promise<number | undefined> {
  if (!namespace || !podName) {
    warn("shards: 'auto' outside a pod (POD_NAME/POD_NAMESPACE unset): waiting the settle time instead");
    return undefined;
  }
  const controllerOf = (o: KubeObject, kind: string) =>
    o.metadata.ownerReferences?.find((r) => r.controller && r.kind === kind)?.name;
  try {
    const pod = await client.get(CoreResources.pod, namespace, podName);
    const rsName = controllerOf(pod, 'ReplicaSet');
    const rs = rsName ? await client.get(CoreResources.replicaSet, namespace, rsName) : undefined;
    const deploymentName = rs && controllerOf(rs, 'Deployment');
    if (!deploymentName) {
      warn(`pod ${podName} belongs to no Deployment: waiting the settle time instead`);
      return undefined;
    }
    const deployment = await client.get<KubeObject<{ replicas?: number }>>(
      CoreResources.deployment,
      namespace,
      deploymentName,
    );
    return deployment.spec?.replicas ?? 1;
  } catch (error) {
    warn(`could not read this pod's Deployment (${String(error)}): waiting the settle time instead`);
    return undefined;
  }
}
