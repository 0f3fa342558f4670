// Long-running per-object tasks. Each runs with an AbortSignal that is aborted when its
// object is deleted or the operator shuts down; if it throws, it is restarted after a
// jittered exponential backoff; if it returns, it is done for this object.
import { realClock, sleep, type Clock } from '../time/clock.js';
import { backoffDelayMs } from '../watch/backoff.js';

interface RunningDaemon {
  abort: AbortController;
  finished: Promise<void>;
}

export type DaemonBody = (signal: AbortSignal, attempt: number) => Promise<void>;

export class DaemonSupervisor {
  private readonly running = new Map<string, RunningDaemon>();
  /** Daemons that returned: done for their object, not started again (as in Kopf). */
  private readonly done = new Set<string>();

  constructor(
    private readonly onError: (id: string, error: unknown, retryInMs: number) => void,
    private readonly clock: Clock = realClock,
  ) {}

  /** Starts the daemon `id` for `key` unless it already runs. */
  ensure(key: string, id: string, body: DaemonBody, initialDelayMs = 0): void {
    const slot = `${key}#${id}`;
    if (this.running.has(slot) || this.done.has(slot)) return;
    const abort = new AbortController();
    const finished = this.loop(slot, body, abort.signal, initialDelayMs).finally(() => {
      if (this.running.get(slot)?.abort === abort) this.running.delete(slot);
    });
    this.running.set(slot, { abort, finished });
  }

  /** Running, or returned for good. */
  has(key: string, id: string): boolean {
    const slot = `${key}#${id}`;
    return this.running.has(slot) || this.done.has(slot);
  }

  /** Cancels every daemon of `key` and waits for them to end. */
  async stop(key: string): Promise<void> {
    for (const slot of this.done) if (slot.startsWith(`${key}#`)) this.done.delete(slot);
    const mine = [...this.running.entries()].filter(([slot]) => slot.startsWith(`${key}#`));
    for (const [, daemon] of mine) daemon.abort.abort(new Error('object deleted'));
    await Promise.allSettled(mine.map(([, d]) => d.finished));
  }

  async stopAll(): Promise<void> {
    const all = [...this.running.values()];
    for (const daemon of all) daemon.abort.abort(new Error('operator shutdown'));
    await Promise.allSettled(all.map((d) => d.finished));
  }

  private async loop(
    slot: string,
    body: DaemonBody,
    signal: AbortSignal,
    initialDelayMs: number,
  ): Promise<void> {
    if (initialDelayMs > 0) await sleep(this.clock, initialDelayMs, signal);
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        await body(signal, attempt);
        if (!signal.aborted) this.done.add(slot);
        return;
      } catch (error) {
        if (signal.aborted) return;
        const delay = backoffDelayMs(attempt, { initialMs: 1000, maxMs: 60_000 });
        this.onError(slot, error, delay);
        await sleep(this.clock, delay, signal);
      }
    }
  }
}
