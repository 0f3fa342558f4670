// How long a watch waits before reconnecting after a failure: exponential, capped, jittered
// so that many watches failing together (an apiserver restart) do not come back in lockstep,
// and reset once the watch has been healthy for a while. Defaults follow client-go's
// reflector and kube-rs's DefaultBackoff: 0.8 s doubling to 30 s, reset after 120 s.
import { timer, type Observable } from 'rxjs';

export interface WatchBackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** 'full': anywhere in [0, d]; 'equal': in [d/2, d], so a delay never collapses to zero. */
  jitter?: 'full' | 'equal';
  /** A failure this long after the previous one starts again from initialMs. */
  resetAfterMs?: number;
}

export interface BackoffClock {
  now: () => number;
  random: () => number;
}

const defaults: Required<WatchBackoffOptions> = {
  initialMs: 800,
  maxMs: 30_000,
  factor: 2,
  jitter: 'equal',
  resetAfterMs: 120_000,
};

/** The delay before retry number `attempt` (0 for the first retry). */
export function backoffDelayMs(
  attempt: number,
  options: WatchBackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { initialMs, maxMs, factor, jitter } = { ...defaults, ...options };
  const ceiling = Math.min(maxMs, initialMs * factor ** Math.max(0, attempt));
  return jitter === 'full' ? ceiling * random() : ceiling / 2 + (ceiling / 2) * random();
}

/** A stateful backoff: each call is one more failure and returns how long to wait for it. */
export function createBackoff(
  options: WatchBackoffOptions = {},
  clock: BackoffClock = { now: Date.now, random: Math.random },
): () => number {
  const resetAfterMs = options.resetAfterMs ?? defaults.resetAfterMs;
  let attempt = 0;
  let lastFailureAt = -Infinity;
  return () => {
    const now = clock.now();
    // Time since the last failure, not a success signal, marks health: a watch that keeps
    // streaming events for two minutes has proven the connection again.
    if (now - lastFailureAt >= resetAfterMs) attempt = 0;
    lastFailureAt = now;
    return backoffDelayMs(attempt++, options, clock.random);
  };
}

/** For `retry({ delay: backoffRetryDelay() })`: waits the next backoff delay on every error. */
export function backoffRetryDelay(
  options: WatchBackoffOptions = {},
  clock?: BackoffClock,
): (error: unknown, retryCount: number) => Observable<0> {
  const next = createBackoff(options, clock);
  return () => timer(next());
}
