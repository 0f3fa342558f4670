// What a failed write to the handled object means for the run, decided from the error alone:
// - 'conflict' (409): someone wrote since the state the run was planned from; re-read, re-plan.
// - 'gone' (404): the object no longer exists; nothing to do.
// - 'rejected' (other 4xx: 422 schema/size, 400, 403, 413): the content or our rights are wrong;
//   retrying the same write cannot help until someone changes something: Stalled, Warning, backoff.
// - 'deposed': this process is no longer the leader; it must not write anything more.
// - 'transient' (5xx, 429, timeouts, connection errors): retry with backoff, shown as Reconciling.
import { isApiError, NotLeaderError } from '../kube/errors.js';

export type WriteFailure = 'conflict' | 'gone' | 'rejected' | 'transient' | 'deposed';

export function classifyWriteError(error: unknown): WriteFailure {
  if (error instanceof NotLeaderError) return 'deposed';
  if (!isApiError(error)) return 'transient';
  if (error.statusCode === 409) return 'conflict';
  if (error.statusCode === 404) return 'gone';
  if (error.statusCode >= 400 && error.statusCode < 500 && error.statusCode !== 429) return 'rejected';
  return 'transient';
}

export function describeWriteError(error: unknown): string {
  if (isApiError(error))
    return `the apiserver refused a write (${error.statusCode} ${error.reason}): ${error.message}`;
  return `a write failed: ${error instanceof Error ? error.message : String(error)}`;
}
