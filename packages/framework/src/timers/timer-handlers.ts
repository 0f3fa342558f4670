// Runs the @Timer handlers that are due, and records their last run on the object. A run that
// fails (and may be retried) is not recorded: it is retried after its backoff with ctx.retry
// counting up, instead of waiting a whole interval; the retry state lives in this process.
import type { KubeObject } from '../kube/object.js';
import { emptyPatch } from '../reconcile/context.js';
import { essenceOf } from '../reconcile/essence.js';
import type { ExtensionResult, ExtensionRun, ProcessingExtension } from '../reconcile/extension.js';
import { readJsonAnnotation } from '../reconcile/extension.js';
import { handlerApplies } from '../reconcile/filters.js';
import type { HandlerSpec } from '../registry.js';
import { realClock, type Clock } from '../time/clock.js';
import { nextTimerRunAt, type TimerRule } from './timer-schedule.js';

export class TimerHandlers implements ProcessingExtension {
  readonly phase = 'after-reconcile';
  private readonly timers: HandlerSpec[];
  /** Per object and timer: failed attempts in a row, and when the next one is due. */
  private readonly retrying = new Map<string, { retry: number; at: number }>();

  constructor(
    handlers: HandlerSpec[],
    private readonly annotationKey: string,
    private readonly clock: Clock = realClock,
  ) {
    this.timers = handlers.filter((h) => h.kind === 'timer');
  }

  async run(run: ExtensionRun): Promise<ExtensionResult> {
    const object: KubeObject = run.object;
    const due = this.timers.filter((h) => handlerApplies(h.options, object));
    if (due.length === 0) return {};
    const stamps = readJsonAnnotation<Record<string, string>>(object, this.annotationKey) ?? {};
    const createdAt = Date.parse(object.metadata.creationTimestamp ?? '') || run.firstSeenAt;
    let wakeAt = Infinity;
    let current = object;
    for (const handler of due) {
      const rule = handler.options as unknown as TimerRule;
      const last = stamps[handler.id];
      const state = {
        lastRunAt: last ? Date.parse(last) : undefined,
        firstSeenAt: run.firstSeenAt,
        createdAt,
        changedAt: run.changedAt,
      };
      const slot = `${run.key}#${handler.id}`;
      const retrying = this.retrying.get(slot);
      let next = retrying?.at ?? nextTimerRunAt(rule, state);
      if (next <= this.clock.now()) {
        const own = emptyPatch();
        const change = { old: undefined, new: essenceOf(object), diff: [] };
        const outcome = await run.invoke(handler, 'timer', change, retrying?.retry ?? 0, own);
        if (outcome.kind === 'retry') {
          next = this.clock.now() + outcome.delaySeconds * 1000;
          this.retrying.set(slot, { retry: (retrying?.retry ?? 0) + 1, at: next });
        } else {
          // Success, or a failure for good (retries used up, permanent): the run counts as done.
          this.retrying.delete(slot);
          const ranAt = this.clock.now();
          stamps[handler.id] = new Date(ranAt).toISOString();
          own.metadata.annotations[this.annotationKey] = JSON.stringify(stamps);
          next = nextTimerRunAt(rule, { ...state, lastRunAt: ranAt });
        }
        // What the timer put in ctx.patch is written as for any handler; its stamp after its status.
        current = await run.commit(current, own);
      }
      wakeAt = Math.min(wakeAt, next);
    }
    return { object: current, wakeAt };
  }

  release(key: string): void {
    for (const slot of this.retrying.keys()) if (slot.startsWith(`${key}#`)) this.retrying.delete(slot);
  }
}
