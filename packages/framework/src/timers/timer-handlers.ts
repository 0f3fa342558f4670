// Runs the @Timer handlers that are due, and records their last run on the object.
import type { KubeObject } from '../kube/object.js';
import { emptyPatch } from '../reconcile/context.js';
import { essenceOf } from '../reconcile/essence.js';
import type { ExtensionResult, ExtensionRun, ProcessingExtension } from '../reconcile/extension.js';
import { readJsonAnnotation } from '../reconcile/extension.js';
import { handlerApplies } from '../reconcile/filters.js';
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
      let next = nextTimerRunAt(rule, state);
      if (next <= Date.now()) {
        const own = emptyPatch();
        const change = { old: undefined, new: essenceOf(object), diff: [] };
        const outcome = await run.invoke(handler, 'timer', change, 0, own);
        stamps[handler.id] = new Date().toISOString();
        // What the timer put in ctx.patch is written as for any handler; its stamp after its status.
        own.metadata.annotations[this.annotationKey] = JSON.stringify(stamps);
        current = await run.commit(current, own);
        next = nextTimerRunAt(rule, { ...state, lastRunAt: Date.now() });
        if (outcome.kind === 'retry') next = Math.min(next, Date.now() + outcome.delaySeconds * 1000);
      }
      wakeAt = Math.min(wakeAt, next);
    }
    return { object: current, wakeAt };
  }
}
