// Per-object serialisation as an RxJS operator, controller-runtime workqueue style:
// keys (namespace/name) flow in; each key is processed by at most one run at a time;
// keys that arrive while their run is busy are coalesced into one more run, which then
// reads the newest state; at most `concurrency` runs happen at once across all keys; a run
// may ask to be requeued after a delay (retries, timers), and a newer arrival for the same
// key replaces that scheduled run. A `limit` shared by several queues bounds their runs
// together (the operator-wide concurrency). Requeues asked for sooner than a second are
// rate-limited per key (5 ms, doubling with each in a row, up to 60 s), so a handler that
// always asks for `requeueAfterSeconds: 0` cannot hot-loop.
import { Observable, type OperatorFunction } from 'rxjs';

export interface RunResult {
  /** Run this key again after this many milliseconds (unless something else wakes it first). */
  requeueAfterMs?: number;
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
}

export function processPerKey(
  run: (key: string) => Promise<RunResult | void>,
  options: WorkQueueOptions,
): OperatorFunction<string, QueueOutcome> {
  return (keys$) =>
    new Observable<QueueOutcome>((subscriber) => {
      const ready: string[] = []; // FIFO of keys waiting for a slot
      const queued = new Set<string>(); // keys in `ready`
      const busy = new Set<string>(); // keys being processed
      const dirty = new Set<string>(); // busy keys that got new arrivals
      const timers = new Map<string, NodeJS.Timeout>();
      const fastRequeues = new Map<string, number>(); // sub-second requeues in a row, per key
      let active = 0;
      let inputDone = false;
      let closed = false;

      const enqueue = (key: string) => {
        const timer = timers.get(key);
        if (timer) {
          clearTimeout(timer);
          timers.delete(key);
        }
        if (busy.has(key)) dirty.add(key);
        else if (!queued.has(key)) {
          queued.add(key);
          ready.push(key);
        }
        pump();
      };

      const pump = () => {
        if (closed) return;
        while (active < options.concurrency && ready.length > 0 && (options.limit?.tryAcquire() ?? true)) {
          const key = ready.shift() as string;
          queued.delete(key);
          busy.add(key);
          active++;
          const started = Date.now();
          run(key).then(
            (result) => finish(key, started, result ?? undefined),
            (error: unknown) => finish(key, started, undefined, error),
          );
        }
        options.onDepth?.(ready.length);
        if (inputDone && active === 0 && ready.length === 0 && timers.size === 0) subscriber.complete();
      };

      const finish = (key: string, started: number, result?: RunResult, error?: unknown) => {
        active--;
        busy.delete(key);
        options.limit?.release();
        // A run that ends after unsubscription must not schedule more (a stray timer would keep the process alive).
        if (closed) return;
        subscriber.next({ key, result, error, durationMs: Date.now() - started });
        if (dirty.delete(key)) enqueue(key);
        else if (result?.requeueAfterMs !== undefined) {
          const inARow = fastRequeues.get(key) ?? 0;
          const fast = result.requeueAfterMs < 1000;
          if (fast) fastRequeues.set(key, inARow + 1);
          else fastRequeues.delete(key);
          const delay = fast ? fastRequeueDelayMs(result.requeueAfterMs, inARow) : result.requeueAfterMs;
          timers.set(
            key,
            setTimeout(
              () => {
                timers.delete(key);
                enqueue(key);
              },
              Math.max(0, delay),
            ),
          );
        } else fastRequeues.delete(key);
        pump();
      };

      const stopListening = options.limit?.onRelease(() => pump());
      const subscription = keys$.subscribe({
        next: enqueue,
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
        for (const timer of timers.values()) clearTimeout(timer);
        timers.clear();
      };
    });
}
