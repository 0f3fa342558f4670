// The keys waiting for a slot in the work queue, at four priorities, first in first out
// within each: an object a sharded replica is asked to hand over first (another replica waits
// for it, and the run is short), then an object's own change, then wake-ups (by related, owned or watched
// objects, and planned requeues), then background work (the initial list, the resync). A key
// waits once, at the highest priority it was asked for. A priority that has keys waiting is
// passed over at most `fairShare` times in a row before one of its keys goes (the lowest such
// first), so an initial list of 10k objects waits behind new objects and changes, yet keeps
// moving.
export type Priority = 'handover' | 'change' | 'wake-up' | 'background';

const LEVELS: readonly Priority[] = ['handover', 'change', 'wake-up', 'background'];

export const moreUrgent = (a: Priority, b: Priority): boolean => LEVELS.indexOf(a) < LEVELS.indexOf(b);

export class PriorityKeys {
  private readonly waiting = LEVELS.map(() => new Set<string>());
  private readonly levelOf = new Map<string, number>();
  /** Per level: keys taken from other levels in a row while this one had keys waiting. */
  private readonly passedOver = LEVELS.map(() => 0);

  constructor(private readonly fairShare = 4) {}

  get size(): number {
    return this.levelOf.size;
  }

  has(key: string): boolean {
    return this.levelOf.has(key);
  }

  /** Adds a key, or moves a waiting one up to `priority` (never down). */
  add(key: string, priority: Priority): void {
    const level = LEVELS.indexOf(priority);
    const current = this.levelOf.get(key);
    if (current !== undefined && current <= level) return;
    if (current !== undefined) this.waiting[current]?.delete(key);
    this.waiting[level]?.add(key);
    this.levelOf.set(key, level);
  }

  /** The next key to run, or undefined when none waits. */
  take(): string | undefined {
    const nonEmpty = this.waiting.flatMap((keys, level) => (keys.size > 0 ? [level] : []));
    if (nonEmpty.length === 0) return undefined;
    // The lowest level that has waited its share goes first; otherwise the highest level.
    const starving = [...nonEmpty].reverse().find((level) => (this.passedOver[level] ?? 0) >= this.fairShare);
    const level = starving ?? (nonEmpty[0] as number);
    for (const other of nonEmpty)
      if (other !== level) this.passedOver[other] = (this.passedOver[other] ?? 0) + 1;
    this.passedOver[level] = 0;
    const keys = this.waiting[level] as Set<string>;
    const key = keys.values().next().value as string;
    keys.delete(key);
    this.levelOf.delete(key);
    return key;
  }
}
