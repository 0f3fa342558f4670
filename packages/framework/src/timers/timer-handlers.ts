// Plans the @Timer handlers that are due, and settles their outcomes into the last-run stamps
// kept on the object. A run that fails and may be retried is not stamped: it is retried after
// its backoff with ctx.retry counting up (the failure, kept by the engine, says when), instead
// of waiting a whole interval; a run that failed for good counts as done.
import { essenceOf } from '../reconcile/essence.js';
import type { ExtensionInput, ExtensionPlan, ProcessingExtension } from '../reconcile/extension.js';
import { readJsonAnnotation } from '../reconcile/extension.js';
import { handlerApplies } from '../reconcile/filters.js';
import type { PlannedStep } from '../reconcile/planner.js';
import type { HandlerSpec } from '../registry.js';
import { nextTimerRunAt, type TimerRule } from './timer-schedule.js';

export class TimerHandlers implements ProcessingExtension {
  readonly phase = 'after-reconcile';
  private readonly timers: HandlerSpec[];

  constructor(
    handlers: HandlerSpec[],
    private readonly annotationKey: string,
  ) {
    this.timers = handlers.filter((h) => h.kind === 'timer');
  }

  plan({ object, now, firstSeenAt, changedAt, failures }: ExtensionInput): ExtensionPlan {
    const applying = this.timers.filter((h) => handlerApplies(h.options, object));
    if (applying.length === 0) return { steps: [], settle: () => ({}) };
    const stamps = readJsonAnnotation<Record<string, string>>(object, this.annotationKey) ?? {};
    const createdAt = Date.parse(object.metadata.creationTimestamp ?? '') || firstSeenAt;
    const timers = applying.map((handler) => {
      const rule = handler.options as unknown as TimerRule;
      const last = stamps[handler.id];
      const state = { lastRunAt: last ? Date.parse(last) : undefined, firstSeenAt, createdAt, changedAt };
      const failure = failures.get(`timer/${handler.id}`);
      const retrying = failure && !failure.stalled ? failure : undefined;
      const next = retrying?.retryAt ?? nextTimerRunAt(rule, state);
      const step: PlannedStep | undefined =
        next <= now
          ? {
              cause: 'timer',
              handler,
              old: undefined,
              new: essenceOf(object),
              diff: [],
              retry: retrying?.retries ?? 0,
            }
          : undefined;
      return { handler, rule, state, next, step };
    });
    return {
      steps: timers.flatMap((t) => (t.step ? [t.step] : [])),
      settle: (results) => {
        let wakeAt = Infinity;
        const next = { ...stamps };
        for (const timer of timers) {
          const result = results.find((r) => r.step === timer.step);
          if (!result) wakeAt = Math.min(wakeAt, timer.next);
          else if (result.outcome.kind === 'retry')
            wakeAt = Math.min(wakeAt, result.at + result.outcome.delaySeconds * 1000);
          else {
            // Success, or a failure for good (retries used up, permanent): the run counts as done.
            next[timer.handler.id] = new Date(result.at).toISOString();
            wakeAt = Math.min(wakeAt, nextTimerRunAt(timer.rule, { ...timer.state, lastRunAt: result.at }));
          }
        }
        const changed = JSON.stringify(next) !== JSON.stringify(stamps);
        // Written by the run's commit, after the timers' status.
        return {
          wakeAt,
          ...(changed ? { annotations: { [this.annotationKey]: JSON.stringify(next) } } : {}),
        };
      },
    };
  }
}
