// Per-object serialisation as an RxJS operator, controller-runtime workqueue style:
// keys (namespace/name) flow in; each key is processed by at most one run at a time;
// keys that arrive while their run is busy are coalesced into one more run, which then
// reads the newest state; at most `concurrency` runs happen at once across all keys; a run
// may ask to be requeued after a delay (retries, timers), and a newer arrival for the same
// key replaces that scheduled run.
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

export interface WorkQueueOptions {
  concurrency: number;
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
        while (active < options.concurrency && ready.length > 0) {
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
        // A run that ends after unsubscription must not schedule more (a stray timer would keep the process alive).
        if (closed) return;
        subscriber.next({ key, result, error, durationMs: Date.now() - started });
        if (dirty.delete(key)) enqueue(key);
        else if (result?.requeueAfterMs !== undefined) {
          timers.set(
            key,
            setTimeout(
              () => {
                timers.delete(key);
                enqueue(key);
              },
              Math.max(0, result.requeueAfterMs),
            ),
          );
        }
        pump();
      };

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
        subscription.unsubscribe();
        for (const timer of timers.values()) clearTimeout(timer);
        timers.clear();
      };
    });
}
