// The shape every Kubernetes object shares; handlers get richer types through generics.
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface KubeObject<Spec = unknown, Status = unknown> {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: Spec;
  status?: Status;
  [field: string]: unknown;
}

export interface ObjectList<T> {
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** namespace/name, the identity the engine queues by. */
export function objectKey(obj: Pick<KubeObject, 'metadata'>): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : `${obj.metadata.name}`;
}

/**
 * The newer of two states of one object, by resourceVersion (etcd revisions, compared as
 * numbers, as every client does in practice); `cached` when they cannot be compared or the
 * object was recreated (another uid).
 */
export function newestOf<T extends KubeObject>(cached: T, known: T | undefined): T {
  if (!known || known.metadata.uid !== cached.metadata.uid) return cached;
  const version = (o: T) =>
    /^\d+$/.test(o.metadata.resourceVersion ?? '') ? BigInt(o.metadata.resourceVersion as string) : undefined;
  const [a, b] = [version(cached), version(known)];
  return a !== undefined && b !== undefined && b > a ? known : cached;
}
