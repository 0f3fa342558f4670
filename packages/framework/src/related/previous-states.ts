// What a referenced object (Secret, ConfigMap, ...) looked like before a change that related
// handlers have yet to see: their `old`. Bounded (defect 10): an entry is kept only while some
// object that references it still has to run on the change, and dropped once each of them has
// (settled: handled or given up) or no longer exists; a change nobody references keeps
// nothing, a deleted object is kept only until its referrers have run. While an entry waits,
// a newer change keeps the older state, the one the waiting handlers last saw.
import type { KubeObject } from '../kube/object.js';

interface Entry {
  object: KubeObject | undefined;
  /** Slots (`namespace/name#handlerId`) still to run on this change. */
  waiting: Set<string>;
}

export class PreviousStates {
  private readonly entries = new Map<string, Entry>();

  /** `ref` changed from `previous`; `waiting` are the slots whose handlers reference it. */
  record(ref: string, previous: KubeObject | undefined, waiting: readonly string[]): void {
    const entry = this.entries.get(ref);
    if (entry) for (const slot of waiting) entry.waiting.add(slot);
    else if (waiting.length > 0) this.entries.set(ref, { object: previous, waiting: new Set(waiting) });
  }

  get(ref: string): KubeObject | undefined {
    return this.entries.get(ref)?.object;
  }

  /** `slot` ran on the change of `ref` (or does not reference it any more). */
  settle(ref: string, slot: string): void {
    const entry = this.entries.get(ref);
    if (!entry) return;
    entry.waiting.delete(slot);
    if (entry.waiting.size === 0) this.entries.delete(ref);
  }

  /** `slot`'s object is gone: it waits for nothing. */
  forget(slot: string): void {
    for (const ref of [...this.entries.keys()]) this.settle(ref, slot);
  }

  get size(): number {
    return this.entries.size;
  }
}
