// Per-object serialisation as an RxJS operator, controller-runtime workqueue style:
// keys (namespace/name) flow in; each key is processed by at most one run at a time;
// keys that arrive while their run is busy are coalesced into one more run, which then
// reads the newest state; at most `concurrency` runs happen at once across all keys; a run
// may ask to be requeued after a delay (retries, timers), and a newer arrival for the same
// key replaces that scheduled run. A `limit` shared by several queues bounds their runs
// together (the operator-wide concurrency). A run started by its key's own requeue that asks
// again for less than a second is rate-limited per key (5 ms, doubling with each in a row, up
// to 60 s), so a handler that always asks for `requeueAfterSeconds: 0` cannot hot-loop; a run
// woken by something else (a change, the echo of a write) asking for what remains of a planned
// wake-up is no loop, and keeps its exact time. Delays are timed by `clock`. Keys waiting for
// a slot go by priority (priority-keys.ts): handovers (sharding), changes, then wake-ups and requeues, then
// background work (the initial list, the resync).
import { Observable, type OperatorFunction } from 'rxjs';
import { realClock, type Clock } from '../time/clock.js';
import { moreUrgent, PriorityKeys, type Priority } from './priority-keys.js';

export { moreUrgent, type Priority } from './priority-keys.js';

/** A key and how urgent its run is; a bare key is an object's own change. */
export interface QueuedKey {
  key: string;
  priority: Priority;
}

export interface RunResult {
  /** Run this key again after this many milliseconds (unless something else wakes it first). */
  requeueAfterMs?: number;
  /** Time that delay in real time, even under a test clock: the engine's own mechanics (a
   *  re-read after a write conflict), which a test should not have to advance. */
  realTime?: boolean;
}

export interface QueueOutcome {
  key: string;
  result?: RunResult;
  error?: unknown;
  durationMs: number;
}

/** Slots shared by several queues: at most `size` runs at once across all of them. */
export class SharedLimit {
  private used = 0;
  private readonly listeners = new Set<() => void>();

  constructor(readonly size: number) {}

  tryAcquire(): boolean {
    if (this.used >= this.size) return false;
    this.used++;
    return true;
  }

  release(): void {
    this.used--;
    for (const listener of [...this.listeners]) listener();
  }

  /** Calls `listener` whenever a slot is freed; returns the unsubscription. */
  onRelease(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The delay of the n-th sub-second requeue of a key in a row (n from 0). */
export function fastRequeueDelayMs(asked: number, inARow: number): number {
  return Math.max(asked, Math.min(5 * 2 ** inARow, 60_000));
}

export interface WorkQueueOptions {
  concurrency: number;
  /** Shared with other queues (the operator-wide limit). */
  limit?: SharedLimit;
  /** Observes the number of keys waiting for a free slot. */
  onDepth?: (depth: number) => void;
  /** Schedules the delayed requeues (default: real time). */
  clock?: Clock;
}

export function processPerKey(
  run: (key: string) => Promise<RunResult | void>,
  options: WorkQueueOptions,
): OperatorFunction<string | QueuedKey, QueueOutcome> {
  return (keys$) =>
    new Observable<QueueOutcome>((subscriber) => {
      const ready = new PriorityKeys(); // keys waiting for a slot
      const busy = new Set<string>(); // keys being processed
      const dirty = new Map<string, Priority>(); // busy keys that got new arrivals, at the highest priority
      const clock = options.clock ?? realClock;
      const timers = new Map<string, () => void>(); // scheduled requeues, by key: their cancellation
      const fastRequeues = new Map<string, number>(); // sub-second requeues in a row, per key
      const requeued = new Set<string>(); // queued by their own requeue, not by an arrival
      let active = 0;
      let reportedDepth: number | undefined;
      let inputDone = false;
      let closed = false;

      const enqueue = (key: string, priority: Priority, byRequeue = false) => {
        if (byRequeue) requeued.add(key);
        else requeued.delete(key);
        const cancelTimer = timers.get(key);
        if (cancelTimer) {
          cancelTimer();
          timers.delete(key);
        }
        if (!busy.has(key)) ready.add(key, priority);
        else if (!dirty.has(key) || moreUrgent(priority, dirty.get(key) as Priority))
          dirty.set(key, priority);
        pump();
      };

      const pump = () => {
        if (closed) return;
        while (active < options.concurrency && ready.size > 0 && (options.limit?.tryAcquire() ?? true)) {
          const key = ready.take() as string;
          busy.add(key);
          active++;
          const started = Date.now();
          const byRequeue = requeued.delete(key);
          run(key).then(
            (result) => finish(key, started, byRequeue, result ?? undefined),
            (error: unknown) => finish(key, started, byRequeue, undefined, error),
          );
        }
        if (ready.size !== reportedDepth) options.onDepth?.((reportedDepth = ready.size));
        if (inputDone && active === 0 && ready.size === 0 && timers.size === 0) subscriber.complete();
      };

      const finish = (
        key: string,
        started: number,
        byRequeue: boolean,
        result?: RunResult,
        error?: unknown,
      ) => {
        active--;
        busy.delete(key);
        options.limit?.release();
        // A run that ends after unsubscription must not schedule more (a stray timer would keep the process alive).
        if (closed) return;
        subscriber.next({ key, result, error, durationMs: Date.now() - started });
        const arrived = dirty.get(key);
        if (arrived !== undefined) {
          dirty.delete(key);
          enqueue(key, arrived);
        } else if (result?.requeueAfterMs !== undefined) {
          const inARow = fastRequeues.get(key) ?? 0;
          const fast = result.requeueAfterMs < 1000;
          if (!fast) fastRequeues.delete(key);
          else if (byRequeue) fastRequeues.set(key, inARow + 1);
          const limited = fast && byRequeue;
          const delay = limited ? fastRequeueDelayMs(result.requeueAfterMs, inARow) : result.requeueAfterMs;
          timers.set(
            key,
            (result.realTime ? realClock : clock).setTimer(delay, () => {
              timers.delete(key);
              enqueue(key, 'wake-up', true);
            }),
          );
        } else fastRequeues.delete(key);
        pump();
      };

      const stopListening = options.limit?.onRelease(() => pump());
      const subscription = keys$.subscribe({
        next: (item) =>
          typeof item === 'string' ? enqueue(item, 'change') : enqueue(item.key, item.priority),
        error: (e: unknown) => subscriber.error(e),
        complete: () => {
          inputDone = true;
          pump();
        },
      });
      return () => {
        closed = true;
        stopListening?.();
        subscription.unsubscribe();
        for (const cancelTimer of timers.values()) cancelTimer();
        timers.clear();
      };
    });
}
