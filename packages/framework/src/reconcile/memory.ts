// What this process keeps about each object between runs: read by the planner, updated by the
// committer from a run's outcome. Everything a restart must not lose is on the object itself
// (diff-base, progress, timer stamps, related hashes); this is only what may be rebuilt.
import type { KubeObject } from '../kube/object.js';
import type { RunResult } from './work-queue.js';

/** Why a run happens, carried into every log line of its handlers. */
export type WakeReason = 'change' | 'scheduled' | 'related' | 'owned' | 'watched' | 'resync';

/** A handler (other than a change handler, whose state is on the object) whose last attempt failed. */
export interface HandlerFailure {
  /** Failed attempts in a row: the next attempt's ctx.retry and backoff. */
  retries: number;
  /** When the next attempt is due (absolute ms), for a failure that is retried. */
  retryAt?: number;
  /** Failed for good (retries used up, a permanent error): shown as Stalled. */
  stalled: boolean;
  /** What the conditions say: `<cause>/<handler>: <error>`. */
  message: string;
}

export interface ObjectMemory {
  /** The newest state we know of (our own last write, or a re-read after a conflict). */
  latest: KubeObject | undefined;
  /** The object existed, already handled, when this process first saw it: resume handlers are due. */
  resumePending: boolean;
  /** @Reconcile, timer and related handlers whose last attempt failed, by step slot. */
  failures: Map<string, HandlerFailure>;
  /** Failed writes (refused or errors) in a row, for their backoff. */
  writeFailures: number;
  /** The essence a write failed for: until it changes, the failure's backoff holds. */
  failedEssenceHash: string | undefined;
  /** 409s in a row: re-plans are immediate at first, then slowed down. */
  conflicts: number;
  firstSeenAt: number;
  /** When the essence last changed, as seen by this process (idle timers). */
  changedAt: number;
  essenceHash: string;
  /** What @Reconcile reacts to (essence, labels, foreign annotations) when it last ran. */
  levelFingerprint: string | undefined;
  /** When @Reconcile asked to run again (its requeueAfterSeconds, or its retry backoff). */
  reconcileDueAt: number | undefined;
  /** The next planned run (timers, retries), as an absolute time. */
  nextWakeAt: number | undefined;
}

export function newMemory(handledBefore: boolean, now: number): ObjectMemory {
  return {
    latest: undefined,
    resumePending: handledBefore,
    failures: new Map(),
    writeFailures: 0,
    failedEssenceHash: undefined,
    conflicts: 0,
    firstSeenAt: now,
    changedAt: now,
    essenceHash: '',
    levelFingerprint: undefined,
    reconcileDueAt: undefined,
    nextWakeAt: undefined,
  };
}

/**
 * Remembers and returns the next wake-up (an absolute time), so a run that waits can keep it.
 * One due already (the next handler of a change) runs at once, on real time even under a test
 * clock: it is the engine's own pace, not time a user schedules.
 */
export function scheduleWake(memory: ObjectMemory, at: number | undefined, now: number): RunResult {
  memory.nextWakeAt = at !== undefined && Number.isFinite(at) ? at : undefined;
  if (memory.nextWakeAt === undefined) return {};
  const ms = Math.max(0, memory.nextWakeAt - now);
  return ms === 0 ? { requeueAfterMs: 0, realTime: true } : { requeueAfterMs: ms };
}
