// A clock a test moves forward itself (OperatorOptions.clock), so time-based behaviour (an
// hourly @Timer, a retry's backoff, a resync) is tested without sleeping:
//   const clock = new ManualClock();
//   await startOperator([MyController], { clock });
//   await clock.advance(3_600_000); // the hourly timer is due now, and runs
// advance() fires every timer that falls due on the way, in time order (ties in the order they
// were set), each with the clock showing its own due time, and lets pending promise callbacks
// run between two timers, so a timer set by a callback (a requeue) fires in the same advance
// when it is due within it. It does not wait for real I/O those callbacks start (requests to
// the apiserver): a test waits for their visible result, as it would for any handler.
// A timer set with no delay (or one already past) is due now: it fires at once, as
// setTimeout(fn, 0) would, without waiting for an advance.
// Fails: advance() with a negative or non-numeric duration throws.
import type { Clock } from '../time/clock.js';

interface PendingTimer {
  at: number;
  order: number;
  fn: () => void;
}

export class ManualClock implements Clock {
  private current: number;
  private order = 0;
  private timers: PendingTimer[] = [];

  /** Starts at `start` (default: the real time now, so times written to objects look sane). */
  constructor(start: number = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): () => void {
    if (!(ms > 0)) {
      const immediate = setImmediate(fn);
      return () => clearImmediate(immediate);
    }
    const timer: PendingTimer = { at: this.current + ms, order: this.order++, fn };
    // Kept sorted by due time, then by the order they were set.
    const index = this.timers.findIndex((t) => t.at > timer.at);
    this.timers.splice(index === -1 ? this.timers.length : index, 0, timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward by `ms`, firing the timers due on the way (see the file's header). */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new Error(`ManualClock.advance needs a duration of 0 ms or more, not ${ms}`);
    const target = this.current + ms;
    await settle();
    for (let next = this.timers[0]; next !== undefined && next.at <= target; next = this.timers[0]) {
      this.timers.shift();
      this.current = next.at;
      next.fn();
      await settle();
    }
    this.current = target;
  }

  /** How many timers are waiting. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** How long until the next timer is due (ms), or undefined when none is set. */
  get nextTimerInMs(): number | undefined {
    const next = this.timers[0];
    return next === undefined ? undefined : next.at - this.current;
  }
}

/** Lets every promise callback queued so far (and those they queue) run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
