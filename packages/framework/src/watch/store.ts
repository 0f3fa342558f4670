// The reflector's cache: the latest known state of every watched object, keyed by
// namespace/name and indexed by namespace (a cluster-wide cache answers "the objects of one
// namespace" without scanning the others). Only the reflector writes it; everyone else gets
// the read-only view.
import { objectKey, type KubeObject } from '../kube/object.js';

export interface ReadonlyStore<T extends KubeObject = KubeObject> {
  get(namespace: string | undefined, name: string): T | undefined;
  /** By objectKey(): `namespace/name`, or `name` for cluster-scoped objects. */
  getByKey(key: string): T | undefined;
  list(): T[];
  /** The objects of one namespace (cluster-scoped objects: `undefined`). */
  inNamespace(namespace: string | undefined): T[];
  readonly size: number;
  /** True once the first full list has been applied: until then the cache is incomplete. */
  readonly hasSynced: boolean;
}

export class Store<T extends KubeObject = KubeObject> implements ReadonlyStore<T> {
  private objects = new Map<string, T>();
  private byNamespace = new Map<string | undefined, Map<string, T>>();
  private synced = false;

  /** A view without the writing methods, to hand to consumers. */
  readonly view: ReadonlyStore<T> = new StoreView(this);

  get(namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(objectKey({ metadata: { namespace, name } }));
  }

  getByKey(key: string): T | undefined {
    return this.objects.get(key);
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  inNamespace(namespace: string | undefined): T[] {
    return [...(this.byNamespace.get(namespace)?.values() ?? [])];
  }

  get size(): number {
    return this.objects.size;
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  /** Stores the object and returns what was cached under its key before. */
  set(object: T): T | undefined {
    const key = objectKey(object);
    const previous = this.objects.get(key);
    this.objects.set(key, object);
    this.indexed(object.metadata.namespace).set(key, object);
    return previous;
  }

  /** Removes the object's key and returns what was cached under it. */
  delete(object: T): T | undefined {
    const key = objectKey(object);
    const previous = this.objects.get(key);
    this.objects.delete(key);
    const namespace = this.byNamespace.get(object.metadata.namespace);
    namespace?.delete(key);
    if (namespace?.size === 0) this.byNamespace.delete(object.metadata.namespace);
    return previous;
  }

  /** Replaces the whole content after a (re)list; returns the objects that were dropped. */
  replace(objects: Iterable<T>): T[] {
    const next = new Map<string, T>();
    for (const object of objects) next.set(objectKey(object), object);
    const dropped = [...this.objects].filter(([key]) => !next.has(key)).map(([, object]) => object);
    this.objects = next;
    this.byNamespace = new Map();
    for (const [key, object] of next) this.indexed(object.metadata.namespace).set(key, object);
    this.synced = true;
    return dropped;
  }

  private indexed(namespace: string | undefined): Map<string, T> {
    let objects = this.byNamespace.get(namespace);
    if (!objects) this.byNamespace.set(namespace, (objects = new Map()));
    return objects;
  }
}

class StoreView<T extends KubeObject> implements ReadonlyStore<T> {
  constructor(private readonly store: Store<T>) {}

  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(namespace, name);
  }

  getByKey(key: string): T | undefined {
    return this.store.getByKey(key);
  }

  list(): T[] {
    return this.store.list();
  }

  inNamespace(namespace: string | undefined): T[] {
    return this.store.inNamespace(namespace);
  }

  get size(): number {
    return this.store.size;
  }

  get hasSynced(): boolean {
    return this.store.hasSynced;
  }
}
