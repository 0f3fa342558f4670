// Which caches a controller still waits for, by namespace. A run reads its own kind's cache and
// those of the kinds it references; it may start once those hold their initial lists in the
// object's namespace (and every cluster-wide one). So a namespace whose caches cannot sync (its
// list forbidden: RBAC bound per namespace cannot cover one that does not exist) holds up its
// own objects only, and `pending` says which caches are missing.
// An object with no namespace (a cluster-scoped kind) waits for every cache.
export class SyncGate {
  /** Unsynced caches by id: what they hold and where (undefined: cluster-wide). */
  private readonly waiting = new Map<string, { what: string; namespace: string | undefined }>();

  wait(id: string, what: string, namespace: string | undefined): void {
    this.waiting.set(id, { what, namespace });
  }

  /** The cache `id` holds its list; true if it was the last one waited for. */
  synced(id: string): boolean {
    return this.waiting.delete(id) && this.waiting.size === 0;
  }

  get allSynced(): boolean {
    return this.waiting.size === 0;
  }

  /** May an object of this namespace be processed? */
  readyFor(namespace: string | undefined): boolean {
    if (namespace === undefined) return this.allSynced;
    for (const entry of this.waiting.values())
      if (entry.namespace === undefined || entry.namespace === namespace) return false;
    return true;
  }

  /** The caches still waited for, e.g. `secrets.core in koji`. */
  get pending(): string[] {
    return [...this.waiting.values()].map((e) => `${e.what} in ${e.namespace ?? 'all namespaces'}`);
  }
}
