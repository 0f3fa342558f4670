// The runner, the second of a run's three visits: runs a plan's steps, every one through
// HandlerRunner.invoke() (timeouts, retries, metrics), all writing into one pending patch
// that the committer writes afterwards. Order: the next change (or delete) handler (one per
// run); related handlers; @Reconcile, only if the change is handled
// (it acts on a spec whose handlers all succeeded), stopping at its first failure; timers;
// then the daemons not yet started. Related handlers, timers and daemons do not wait for a
// retrying change handler (as in Kopf). Each outcome is logged, and a failure (or, with
// `successEvents`, a success) posted as an Event.
// Fails: NotLeaderError from invoke() when this process may no longer act; nothing else
// (a handler's own errors are its outcome).
import type { KubeClient } from '../kube/client.js';
import type { EventRecorder } from '../kube/events.js';
import type { KubeObject } from '../kube/object.js';
import type { Logger } from '../logging/logger.js';
import type { ControllerSpec } from '../registry.js';
import { createContext, emptyPatch, type PendingPatch } from './context.js';
import type { ProcessingExtension, StepResult } from './extension.js';
import type { Outcome } from './executor.js';
import type { WakeReason } from './memory.js';
import type { ActivePlan, ChangePlan, PlannedStep } from './planner.js';
import type { HandlerRunner } from './runner.js';
import type { Clock } from '../time/clock.js';

export interface RunOutcome {
  /** What the handlers asked to write (status, conditions, metadata). */
  patch: PendingPatch;
  /** Every step that ran, in order, with its outcome. */
  results: StepResult[];
  /** Every change (or delete) handler due has succeeded: the change can be recorded as handled. */
  changeDone: boolean;
}

export interface PlanRunnerDeps {
  runner: HandlerRunner;
  client: KubeClient;
  events: EventRecorder;
  logger: Logger;
  extensions: ProcessingExtension[];
  fieldManager: string;
  successEvents: boolean;
  clock: Clock;
}

export class PlanRunner {
  constructor(
    private readonly spec: ControllerSpec,
    private readonly deps: PlanRunnerDeps,
  ) {}

  async run(key: string, object: KubeObject, plan: ActivePlan): Promise<RunOutcome> {
    const patch = emptyPatch();
    const results: StepResult[] = [];
    const wake: WakeReason = plan.kind === 'handle' ? plan.wake : 'change';
    const attempt = async (step: PlannedStep): Promise<boolean> => {
      const outcome = await this.invoke(object, step, wake, patch);
      results.push({ step, outcome, at: this.deps.clock.now() });
      return outcome.kind === 'success' || (outcome.kind === 'failure' && outcome.ignored);
    };
    const inOrder = async (steps: PlannedStep[]) => {
      for (const step of steps) if (!(await attempt(step))) return false;
      return true;
    };
    if (plan.kind === 'adopt') return { patch, results, changeDone: false };
    if (plan.kind === 'finalize') {
      // Daemons stop before the delete handlers run; nothing is kept for a deleted object.
      await Promise.all(this.deps.extensions.map((extension) => extension.release?.(key)));
      const done = plan.change ? await this.change(plan.change, inOrder) : false;
      return { patch, results, changeDone: done };
    }
    const changeDone = await this.change(plan.change, inOrder);
    const phase = async (which: ProcessingExtension['phase']) => {
      for (const extension of plan.extensions.filter((e) => e.phase === which))
        for (const step of extension.plan.steps) await attempt(step);
    };
    await phase('before-reconcile');
    if (changeDone) await inOrder(plan.reconcile);
    await phase('after-reconcile');
    for (const extension of plan.extensions) for (const launch of extension.plan.launches ?? []) launch();
    return { patch, results, changeDone };
  }

  /** Runs the change's step; true if that completes the change. */
  private async change(change: ChangePlan, inOrder: (steps: PlannedStep[]) => Promise<boolean>) {
    return (await inOrder(change.steps)) && !change.blocked && change.remaining === 0;
  }

  private async invoke(object: KubeObject, step: PlannedStep, wake: WakeReason, patch: PendingPatch) {
    const { handler, retry } = step;
    const logger = this.deps.logger.child({
      namespace: object.metadata.namespace,
      name: object.metadata.name,
      handler: handler.id,
      cause: step.cause,
      wake,
      attempt: retry + 1,
    });
    const { outcome, seconds } = await this.deps.runner.invoke({
      owner: this.spec.instance,
      handler,
      retry,
      context: (signal) =>
        createContext({
          object,
          resource: this.spec.resource,
          cause: step.cause,
          old: step.old,
          new: step.new,
          diff: step.diff,
          retry,
          logger,
          signal,
          patch,
          client: this.deps.client,
          clock: this.deps.clock,
          fieldManager: this.deps.fieldManager,
        }),
    });
    this.report(object, step, outcome, logger, seconds);
    return outcome;
  }

  private report(object: KubeObject, step: PlannedStep, outcome: Outcome, logger: Logger, seconds: number) {
    const action = `${step.cause}/${step.handler.id}`;
    if (outcome.kind === 'success') {
      logger.info(`handler succeeded in ${seconds.toFixed(3)}s`);
      if (this.deps.successEvents && step.cause !== 'reconcile') {
        void this.deps.events.post(object, {
          type: 'Normal',
          reason: 'HandlerSucceeded',
          action,
          note: `${action} succeeded`,
        });
      }
      return;
    }
    const message = errorMessage(outcome.error);
    if (outcome.kind === 'retry') {
      logger.warn(`handler failed, retrying in ${outcome.delaySeconds.toFixed(1)}s: ${message}`);
      void this.deps.events.post(object, {
        type: 'Warning',
        reason: 'HandlerRetrying',
        action,
        note: `${action} failed: ${message}; retrying in ${outcome.delaySeconds.toFixed(1)}s`,
      });
      return;
    }
    if (outcome.ignored) {
      logger.warn(`handler failed, error ignored by its policy: ${message}`);
      return;
    }
    logger.error(`handler failed permanently: ${message}`);
    void this.deps.events.post(object, {
      type: 'Warning',
      reason: 'HandlerFailed',
      action,
      note: `${action} failed: ${message}`,
    });
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
