// How long a failed handler waits before its next attempt: the same capped, jittered
// exponential curve as the watch layer's, in the units of the handler options (seconds).
import type { BackoffOptions } from '../decorators/options.js';
import { backoffDelayMs } from '../watch/backoff.js';

export function retryDelaySeconds(
  retry: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const ms = backoffDelayMs(
    retry,
    {
      initialMs: (options.initialSeconds ?? 1) * 1000,
      factor: options.factor ?? 2,
      maxMs: (options.maxSeconds ?? 300) * 1000,
      jitter: 'equal',
    },
    random,
  );
  return ms / 1000;
}
