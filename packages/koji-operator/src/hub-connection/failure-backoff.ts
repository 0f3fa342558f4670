// Per-object count of consecutive failed attempts to use the hub, turned into the wait before
// the next one (retryDelaySeconds: exponential, capped, jittered). A success forgets the count.
// Controllers that report a hub problem in status (instead of throwing, which the framework
// would report as HandlerRetrying) keep their backoff here.
import { retryDelaySeconds } from './hub-problem.js';

export interface FailureBackoffOptions {
  initialSeconds?: number;
  maxSeconds?: number;
}

export class FailureBackoff {
  readonly #failures = new Map<string, number>();

  constructor(private readonly options: FailureBackoffOptions = {}) {}

  /** Records one more failure of `key` and returns how long to wait before trying again. */
  failed(key: string): number {
    const attempt = this.#failures.get(key) ?? 0;
    this.#failures.set(key, attempt + 1);
    return retryDelaySeconds(attempt, this.options);
  }

  /** The wait for a retry number the caller counts itself (e.g. the framework's ctx.retry). */
  delayFor(attempt: number): number {
    return retryDelaySeconds(attempt, this.options);
  }

  succeeded(key: string): void {
    this.#failures.delete(key);
  }
}
