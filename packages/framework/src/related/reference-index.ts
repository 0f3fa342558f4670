// Which objects reference which: for each referenced object (namespace/name of a Secret,
// ConfigMap, ...), the keys of the objects whose `refs` name it. Rebuilt for an object every
// time it is processed, so it follows spec edits that change the references.
export class ReferenceIndex {
  private readonly owners = new Map<string, Set<string>>();
  private readonly refsByOwner = new Map<string, Set<string>>();

  /** Sets the complete list of references of `owner`. */
  update(owner: string, refs: Iterable<string>): void {
    this.remove(owner);
    const next = new Set(refs);
    if (next.size === 0) return;
    this.refsByOwner.set(owner, next);
    for (const ref of next) {
      let set = this.owners.get(ref);
      if (!set) this.owners.set(ref, (set = new Set()));
      set.add(owner);
    }
  }

  remove(owner: string): void {
    for (const ref of this.refsByOwner.get(owner) ?? []) {
      const set = this.owners.get(ref);
      set?.delete(owner);
      if (set?.size === 0) this.owners.delete(ref);
    }
    this.refsByOwner.delete(owner);
  }

  /** What `owner` references now. */
  refsOf(owner: string): string[] {
    return [...(this.refsByOwner.get(owner) ?? [])];
  }

  ownersOf(ref: string): string[] {
    return [...(this.owners.get(ref) ?? [])];
  }

  get size(): number {
    return this.owners.size;
  }
}
