// Runs one handler and classifies what happened: success, retry (with the delay), or a
// permanent failure; applying the handler's timeout, retry limit and error policy. On timeout
// the handler's signal is aborted and the attempt is awaited (up to TIMED_OUT_GRACE_MS) before
// the outcome is returned, so its retry never runs beside it; JavaScript cannot kill a
// handler that ignores its signal, so one that outlives the grace is left behind, reported.
import type { HandlerSpec } from '../registry.js';
import { retryDelaySeconds } from './backoff.js';
import { HandlerTimeoutError, PermanentError, TemporaryError } from './errors.js';

export type Outcome =
  | { kind: 'success'; result: unknown }
  | { kind: 'retry'; delaySeconds: number; error: unknown }
  | { kind: 'failure'; error: unknown; ignored: boolean };

/** How long a timed-out attempt may take to wind down after its signal was aborted. */
export const TIMED_OUT_GRACE_MS = 30_000;

export async function runHandler(
  handler: HandlerSpec,
  invoke: (signal: AbortSignal) => Promise<unknown>,
  retry: number,
  shutdown?: AbortSignal,
  { graceMs = TIMED_OUT_GRACE_MS, onAbandoned }: { graceMs?: number; onAbandoned?: () => void } = {},
): Promise<Outcome> {
  const controller = new AbortController();
  const onShutdown = () => controller.abort(shutdown?.reason);
  shutdown?.addEventListener('abort', onShutdown, { once: true });
  let timer: NodeJS.Timeout | undefined;
  let attempt: Promise<unknown> | undefined;
  try {
    const seconds = handler.options.timeoutSeconds;
    const timeout =
      seconds === undefined
        ? undefined
        : new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              const error = new HandlerTimeoutError(handler.id, seconds);
              controller.abort(error);
              reject(error);
            }, seconds * 1000);
          });
    attempt = invoke(controller.signal);
    const result = await (timeout ? Promise.race([attempt, timeout]) : attempt);
    return { kind: 'success', result };
  } catch (error) {
    if (error instanceof HandlerTimeoutError) await windDown(attempt, graceMs, onAbandoned);
    return classify(handler, error, retry);
  } finally {
    if (timer) clearTimeout(timer);
    shutdown?.removeEventListener('abort', onShutdown);
  }
}

function classify(handler: HandlerSpec, error: unknown, retry: number): Outcome {
  if (error instanceof PermanentError) return { kind: 'failure', error, ignored: false };
  const policy = error instanceof TemporaryError ? 'temporary' : (handler.options.errors ?? 'temporary');
  if (policy === 'ignored') return { kind: 'failure', error, ignored: true };
  if (policy === 'permanent') return { kind: 'failure', error, ignored: false };
  const limit = handler.options.retries;
  if (limit !== undefined && retry >= limit) return { kind: 'failure', error, ignored: false };
  const delaySeconds =
    error instanceof TemporaryError && error.delaySeconds !== undefined
      ? error.delaySeconds
      : retryDelaySeconds(retry, handler.options.backoff);
  return { kind: 'retry', delaySeconds, error };
}

/** Waits for an aborted attempt to end, at most `graceMs`. */
async function windDown(attempt: Promise<unknown> | undefined, graceMs: number, onAbandoned?: () => void) {
  if (!attempt) return;
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([
    attempt.then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
  ]);
  clearTimeout(timer);
  if (!ended) onAbandoned?.();
}
