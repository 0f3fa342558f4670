// The metadata-only form of an object, for caches whose readers only need to be told which
// object changed: owned children (read for their ownerReferences) and @Watches kinds (read by
// map functions, which get metadata only). A ConfigMap's data, a Secret's content or a
// Deployment's pod template is usually most of an object; none of it is kept. Annotations are
// kept (maps may key on them) except kubectl's last-applied copy, which is the whole object again.
import type { KubeObject } from '../kube/object.js';

const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';

export function metadataOnly<T extends KubeObject>(object: T): T {
  const { managedFields: _managedFields, annotations, ...metadata } = object.metadata;
  const kept =
    annotations && lastApplied in annotations
      ? Object.fromEntries(Object.entries(annotations).filter(([key]) => key !== lastApplied))
      : annotations;
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: kept ? { ...metadata, annotations: kept } : metadata,
  } as T;
}
