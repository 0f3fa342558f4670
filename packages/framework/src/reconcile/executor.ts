// Runs one handler and classifies what happened: success, retry (with the delay), or a
// permanent failure; applying the handler's timeout, retry limit and error policy.
import type { HandlerSpec } from '../registry.js';
import { retryDelaySeconds } from './backoff.js';
import { HandlerTimeoutError, PermanentError, TemporaryError } from './errors.js';

export type Outcome =
  | { kind: 'success'; result: unknown }
  | { kind: 'retry'; delaySeconds: number; error: unknown }
  | { kind: 'failure'; error: unknown; ignored: boolean };

export async function runHandler(
  handler: HandlerSpec,
  invoke: (signal: AbortSignal) => Promise<unknown>,
  retry: number,
  shutdown?: AbortSignal,
): Promise<Outcome> {
  const controller = new AbortController();
  const onShutdown = () => controller.abort(shutdown?.reason);
  shutdown?.addEventListener('abort', onShutdown, { once: true });
  let timer: NodeJS.Timeout | undefined;
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
    const result = await (timeout
      ? Promise.race([invoke(controller.signal), timeout])
      : invoke(controller.signal));
    return { kind: 'success', result };
  } catch (error) {
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
