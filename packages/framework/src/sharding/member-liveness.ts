// Is a replica still a member? Decided the way client-go decides whether a Lease's holder is
// alive: a Lease is live while it was seen to change (renewTime, holder or transitions) less
// than its leaseDuration ago, measured on the OBSERVER's clock from when the observer saw the
// change, so clock skew between nodes does not matter; a released Lease (no holder) is gone
// at once. A sharder that just started has seen every Lease "change" at its start, so it
// waits a full leaseDuration before it calls anyone gone.
// Fails: never (pure).

export interface ObservedLease {
  /** holderIdentity; empty or absent: released. */
  holder: string | undefined;
  /** What identifies one renewal: holder, renewTime and transitions together. */
  record: string;
  durationMs: number;
  /** When this observer first saw `record` (its own clock, ms). */
  observedAt: number;
}

export function isLive(lease: ObservedLease | undefined, now: number): boolean {
  return !!lease?.holder && now <= lease.observedAt + lease.durationMs;
}

/** The record of a Lease spec, as compared between two observations. */
export function leaseRecord(spec: {
  holderIdentity?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}): string {
  return JSON.stringify([spec.holderIdentity ?? '', spec.renewTime ?? '', spec.leaseTransitions ?? 0]);
}

/** The next observation of a Lease: the same record keeps its first sighting's time. */
export function observe(
  before: ObservedLease | undefined,
  spec: {
    holderIdentity?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
    leaseDurationSeconds?: number;
  },
  now: number,
): ObservedLease {
  const record = leaseRecord(spec);
  return {
    holder: spec.holderIdentity || undefined,
    record,
    durationMs: (spec.leaseDurationSeconds ?? 0) * 1000,
    observedAt: before?.record === record ? before.observedAt : now,
  };
}

/** The live members among the observed Leases (by shard id). */
export function liveMembers(leases: ReadonlyMap<string, ObservedLease>, now: number): string[] {
  return [...leases].filter(([, lease]) => isLive(lease, now)).map(([id]) => id);
}

/** When the next live member would expire if it is not renewed (ms), to re-check then. */
export function nextExpiry(leases: ReadonlyMap<string, ObservedLease>, now: number): number | undefined {
  let next: number | undefined;
  for (const lease of leases.values()) {
    if (!isLive(lease, now)) continue;
    const at = lease.observedAt + lease.durationMs + 1;
    if (next === undefined || at < next) next = at;
  }
  return next;
}
