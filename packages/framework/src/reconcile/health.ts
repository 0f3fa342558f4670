// The conditions a run's outcome gives an object (kstatus: Ready, Reconciling, Stalled), the
// same for every handler kind: a failed handler (change, @Reconcile, timer, related) makes
// Ready=False with `<cause>/<handler>: <error>` (Reconciling while it is retried, Stalled once
// it failed for good); a run that handled everything, or cleared the last failure, makes them
// healthy. A condition a handler set itself in the run wins over ours (a Ready=False with
// reason HubUnavailable tells more than HandlerRetrying). Pure.
import type { ConditionUpdate } from './conditions.js';
import type { PendingPatch } from './context.js';

export interface Failure {
  /** `<cause>/<handler>: <error>` */
  message: string;
  /** Failed for good (no retry planned). */
  stalled: boolean;
}

export function failureConditions(failure: Failure, patch: PendingPatch): ConditionUpdate[] {
  const { message, stalled } = failure;
  const reason = stalled ? 'HandlerFailed' : 'HandlerRetrying';
  const ours: ConditionUpdate[] = [
    { type: 'Ready', status: 'False', reason, message },
    { type: 'Reconciling', status: stalled ? 'False' : 'True', reason, message },
    { type: 'Stalled', status: stalled ? 'True' : 'False', reason, message: stalled ? message : '' },
  ];
  const setByHandler = (c: ConditionUpdate) =>
    patch.conditions.some((own) => own.type === c.type && (c.type !== 'Ready' || own.status === 'False'));
  return ours.filter((c) => !setByHandler(c));
}

/** 'auto': the engine sets Ready=True too; 'manual': handlers set Ready, the engine only sets it False. */
export function healthyConditions(patch: PendingPatch, readyCondition: 'auto' | 'manual'): ConditionUpdate[] {
  const healthy: ConditionUpdate[] = [
    ...(readyCondition === 'auto'
      ? [{ type: 'Ready', status: 'True' as const, reason: 'Reconciled', message: 'all handlers succeeded' }]
      : []),
    { type: 'Reconciling', status: 'False', reason: 'Reconciled', message: '' },
    { type: 'Stalled', status: 'False', reason: 'Reconciled', message: '' },
  ];
  return healthy.filter((c) => !patch.conditions.some((set) => set.type === c.type));
}

/** A write the apiserver refused (`rejected`) or that failed: shown whatever the handlers said. */
export function writeFailureConditions(message: string, rejected: boolean): ConditionUpdate[] {
  const reason = rejected ? 'WriteRejected' : 'WriteFailed';
  return [
    { type: 'Ready', status: 'False', reason, message },
    { type: 'Reconciling', status: rejected ? 'False' : 'True', reason, message },
    { type: 'Stalled', status: rejected ? 'True' : 'False', reason, message: rejected ? message : '' },
  ];
}

export interface Verdict {
  /** Failures of this run, most important first (change handlers, @Reconcile, related, timers). */
  failed: Failure[];
  /** Earlier failures not resolved by this run (shown already; kept as they are). */
  standing: number;
  /** The run handled the change, ran @Reconcile successfully, or cleared the last failure. */
  healthy: boolean;
}

export function runConditions(
  verdict: Verdict,
  patch: PendingPatch,
  readyCondition: 'auto' | 'manual',
): ConditionUpdate[] {
  const [first] = verdict.failed;
  if (first) return failureConditions(first, patch);
  if (verdict.standing > 0 || !verdict.healthy) return [];
  return healthyConditions(patch, readyCondition);
}
