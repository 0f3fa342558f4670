// The engine's one source of time: what time it is, and "call me in N ms". Everything the
// engine schedules goes through it: @Timer and @Daemon delays, retry backoff of every handler
// kind, related handlers' retries, the work queue's delayed requeues and rate limiter, and the
// periodic resync. The real clock is the default; a test passes the testing kit's ManualClock
// (OperatorOptions.clock) and moves time forward itself, so an hourly timer or a backoff is
// tested without sleeping.
// What keeps real time on purpose, whatever clock is set:
// - leader election and sharding's Leases: a Lease's renew and expiry times are compared across
//   replicas and with the apiserver's own clock; a clock only this process follows would make it
//   renew too late, take a Lease another replica still holds, or move objects away from a live
//   replica (the sharding code takes a Clock, so its pure parts are tested with explicit times);
// - the watch layer (reconnect backoff, inactivity watchdog, request timeouts): they measure real
//   network behaviour, and advancing a test clock by an hour must not abort healthy watches;
// - the recheck of served namespaces that do not exist yet: it observes the cluster, as watches do;
// - handler timeouts and the shutdown grace period: they bound real work (I/O) that a test clock
//   does not speed up; durations in metrics and logs are measured, not scheduled.
// Fails: never; a timer's callback throwing is the caller's error (as with setTimeout).

export interface Clock {
  /** Milliseconds since the epoch, as Date.now(). */
  now(): number;
  /** Calls `fn` once, `ms` from now (0 or less: as soon as possible); returns its cancellation. */
  setTimer(ms: number, fn: () => void): () => void;
}

/** Wall-clock time and Node's timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms, fn) => {
    const timer = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

/** Resolves after `ms` on `clock`, or at once when `signal` is (or gets) aborted. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const cancel = clock.setTimer(ms, done);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
