// When a per-object timer is next due. Pure, so the rules are tested without a cluster:
// the last run is stored on the object, so a restarted operator (or a new leader) keeps the
// rhythm instead of firing every timer at once.
export interface TimerRule {
  intervalSeconds: number;
  initialDelaySeconds?: number;
  idleSeconds?: number;
  sharp?: boolean;
}

export interface TimerState {
  /** Last run (ms since epoch), as stored on the object; undefined if it never ran. */
  lastRunAt: number | undefined;
  /** When this operator first saw the object (ms). */
  firstSeenAt: number;
  /** The object's creation time (ms), for sharp alignment. */
  createdAt: number;
  /** When the object's essence last changed (ms), for idle timers. */
  changedAt: number;
}

export function nextTimerRunAt(rule: TimerRule, state: TimerState): number {
  const interval = rule.intervalSeconds * 1000;
  let next: number;
  if (state.lastRunAt === undefined)
    next = state.firstSeenAt + (rule.initialDelaySeconds ?? rule.intervalSeconds) * 1000;
  else if (rule.sharp) {
    // The first whole interval (counted from creation) strictly after the last run.
    const periods = Math.floor((state.lastRunAt - state.createdAt) / interval) + 1;
    next = state.createdAt + periods * interval;
  } else next = state.lastRunAt + interval;
  if (rule.idleSeconds !== undefined) next = Math.max(next, state.changedAt + rule.idleSeconds * 1000);
  return next;
}
