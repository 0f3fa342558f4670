// One run for one object, from its newest cached state: decide the causes (create, update,
// field, resume, delete) from the object, its finalizers and its diff-base; run the matching
// handlers in declared order, persisting progress after each; keep the finalizer; run the
// level-triggered @Reconcile handlers; write status conditions; tell the queue when to come
// back. Every write goes through here, so the echo of our own writes can be recognised.
import type { KubeClient } from '../kube/client.js';
import { isApiError } from '../kube/errors.js';
import type { EventRecorder } from '../kube/events.js';
import type { KubeObject } from '../kube/object.js';
import type { Logger } from '../logging/logger.js';
import type { ControllerSpec, HandlerSpec } from '../registry.js';
import { mergeConditions, type Condition, type ConditionUpdate } from './conditions.js';
import { detectCauses } from './causes.js';
import { createContext, emptyPatch, type Cause, type PendingPatch } from './context.js';
import { diff, valueAt, type Diff } from './diff.js';
import { canonicalJson, essenceOf, hashOf } from './essence.js';
import { runHandler, type Outcome } from './executor.js';
import { handlerApplies } from './filters.js';
import { readDiffBase, readProgress, type ProgressRecord, type StorageKeys } from './progress.js';
import { retryDelaySeconds } from './backoff.js';
import type { RunResult } from './work-queue.js';
import type { ExtensionRun, ProcessingExtension } from './extension.js';

export interface ProcessorSettings {
  keys: StorageKeys;
  fieldManager: string;
  /** 'auto': the engine sets Ready from handler outcomes; 'manual': handlers set Ready, the engine only sets it False on failure. */
  readyCondition: 'auto' | 'manual';
  /** Post an Event for each successful handler too (failures always get one). */
  successEvents: boolean;
}

export interface ProcessorDeps {
  client: KubeClient;
  events: EventRecorder;
  logger: Logger;
  shutdown: AbortSignal;
  hooks?: {
    onHandler?: (handler: HandlerSpec, outcome: Outcome['kind'], seconds: number) => void;
  };
  /** Handler kinds built on the engine (timers, daemons, related objects). */
  extensions?: ProcessingExtension[];
}

interface ObjectMemory {
  /** resourceVersions this operator wrote; their watch events are echoes, not changes. */
  ownVersions: Set<string>;
  /** The object existed, already handled, when this process first saw it: resume handlers are due. */
  resumePending: boolean;
  /** Failed attempts of the @Reconcile handlers in a row, for their backoff. */
  reconcileFailures: number;
  firstSeenAt: number;
  /** When the essence last changed, as seen by this process (idle timers). */
  changedAt: number;
  essenceHash: string;
  /** The next planned run (timers, retries), as an absolute time. */
  nextWakeAt: number | undefined;
}

type Step = { cause: Cause; handler: HandlerSpec; old: unknown; new: unknown; diff: Diff };

type StepsOutcome = { object: KubeObject; requeueAfterMs?: number; stalled?: boolean };

export class ObjectProcessor {
  private readonly memory = new Map<string, ObjectMemory>();
  private readonly needsFinalizer: boolean;
  private readonly extensions: ProcessingExtension[];

  constructor(
    private readonly spec: ControllerSpec,
    private readonly settings: ProcessorSettings,
    private readonly deps: ProcessorDeps,
  ) {
    this.extensions = deps.extensions ?? [];
    // Delete handlers need the object kept until they ran; daemons need to learn of the deletion.
    this.needsFinalizer =
      spec.handlers.some((h) => h.kind === 'delete') || this.extensions.some((e) => e.needsFinalizer);
  }

  /** The object is gone from the cluster: forget what we kept about it. */
  forget(key: string): void {
    this.memory.delete(key);
    for (const extension of this.extensions) void extension.release?.(key);
  }

  async process(key: string, object: KubeObject, force = false): Promise<RunResult> {
    const memory = this.remember(key, object);
    const version = object.metadata.resourceVersion ?? '';
    const echo = memory.ownVersions.has(version);
    if (!echo) memory.ownVersions.clear();
    const essenceHash = hashOf(essenceOf(object));
    if (essenceHash !== memory.essenceHash)
      [memory.essenceHash, memory.changedAt] = [essenceHash, Date.now()];

    try {
      if (object.metadata.deletionTimestamp) {
        await Promise.all(this.extensions.map((extension) => extension.release?.(key)));
        return await this.processDeletion(object, memory);
      }
      let current = object;
      if (this.needsFinalizer && !current.metadata.finalizers?.includes(this.settings.keys.finalizer)) {
        current = await this.addFinalizer(current, memory);
      }
      const patch = emptyPatch();
      const steps = this.changeSteps(current, memory);
      // Nothing changed but our own write: keep the wake-up already planned (timers, retries),
      // unless that wake-up is what brought us here.
      const wakeUpDue = memory.nextWakeAt !== undefined && memory.nextWakeAt <= Date.now();
      if (steps.length === 0 && echo && !force && !wakeUpDue) return this.wakeAt(memory, memory.nextWakeAt);
      const outcome =
        steps.length > 0 ? await this.runSteps(current, steps, memory, patch) : { object: current };
      if (outcome.requeueAfterMs !== undefined || outcome.stalled) {
        return this.wakeAt(
          memory,
          outcome.requeueAfterMs === undefined ? undefined : Date.now() + outcome.requeueAfterMs,
        );
      }
      current = outcome.object;
      const wakes: number[] = [];
      const extend = async (phase: ProcessingExtension['phase']) => {
        for (const extension of this.extensions.filter((e) => e.phase === phase)) {
          const result = await extension.run(this.extensionRun(key, current, memory, patch));
          if (result.object) current = result.object;
          if (result.wakeAt !== undefined) wakes.push(result.wakeAt);
        }
      };
      await extend('before-reconcile');
      const reconcile = await this.runReconcile(current, memory, patch);
      if (reconcile.requeueAfterMs !== undefined) wakes.push(Date.now() + reconcile.requeueAfterMs);
      await extend('after-reconcile');
      return this.wakeAt(memory, Math.min(Infinity, ...wakes));
    } catch (error) {
      if (isApiError(error, 409) || isApiError(error, 422)) {
        // Someone else changed the object under us; the queue brings the newest state soon.
        this.deps.logger.debug('conflict while writing; retrying on fresh state', { key });
        return { requeueAfterMs: 200 };
      }
      if (isApiError(error, 404)) return {};
      throw error;
    }
  }

  private extensionRun(
    key: string,
    object: KubeObject,
    memory: ObjectMemory,
    patch: PendingPatch,
  ): ExtensionRun {
    return {
      key,
      object,
      patch,
      firstSeenAt: memory.firstSeenAt,
      changedAt: memory.changedAt,
      failures: memory.reconcileFailures,
      invoke: (handler, cause, change, retry, own) =>
        this.invoke(object, { cause, handler, ...change }, retry, own ?? emptyPatch()),
      annotate: (target, annotations) => this.patchMetadata(target, annotations, emptyPatch(), memory),
      commit: (target, own) => this.writeStatus(target, own, memory),
    };
  }

  /** Remembers and returns the next wake-up (an absolute time), so an echo run can keep it. */
  private wakeAt(memory: ObjectMemory, at: number | undefined): RunResult {
    memory.nextWakeAt = at !== undefined && Number.isFinite(at) ? at : undefined;
    return memory.nextWakeAt === undefined
      ? {}
      : { requeueAfterMs: Math.max(0, memory.nextWakeAt - Date.now()) };
  }

  private remember(key: string, object: KubeObject): ObjectMemory {
    let memory = this.memory.get(key);
    if (!memory) {
      const handledBefore = readDiffBase(object, this.settings.keys) !== undefined;
      memory = {
        ownVersions: new Set(),
        resumePending: handledBefore,
        reconcileFailures: 0,
        firstSeenAt: Date.now(),
        changedAt: Date.now(),
        essenceHash: '',
        nextWakeAt: undefined,
      };
      this.memory.set(key, memory);
    }
    return memory;
  }

  /** The handlers due for this object's current state, in declared order. */
  private changeSteps(object: KubeObject, memory: ObjectMemory): Step[] {
    const essence = essenceOf(object);
    const base = readDiffBase(object, this.settings.keys);
    const causes = detectCauses({
      deleting: false,
      hasFinalizer: true,
      handledBefore: base !== undefined,
      essenceChanged: base !== undefined && hashOf(base) !== hashOf(essence),
      resumePending: memory.resumePending,
    });
    const changes = diff(base, essence);
    const steps: Step[] = [];
    for (const cause of causes) {
      for (const handler of this.spec.handlers) {
        if (!handlerApplies(handler.options, object)) continue;
        if (handler.kind === cause) steps.push({ cause, handler, old: base, new: essence, diff: changes });
        if (handler.kind === 'field' && cause !== 'resume' && handler.field) {
          const [oldValue, newValue] = [valueAt(base, handler.field), valueAt(essence, handler.field)];
          const fieldDiff = diff(oldValue, newValue);
          if (fieldDiff.length > 0)
            steps.push({ cause: 'field', handler, old: oldValue, new: newValue, diff: fieldDiff });
        }
      }
    }
    if (causes.length > 0 && steps.length === 0) {
      // No handler matches this change, but it is still recorded as handled (a new diff-base).
      steps.push({ cause: causes[0] as Cause, handler: NOOP, old: base, new: essence, diff: changes });
    }
    return steps;
  }

  private async runSteps(
    object: KubeObject,
    steps: Step[],
    memory: ObjectMemory,
    patch: PendingPatch,
  ): Promise<StepsOutcome> {
    const progress = readProgress(object, this.settings.keys, hashOf(essenceOf(object)));
    const outcome = await this.runInOrder(object, steps, progress, memory, patch);
    if (!outcome.done) return outcome;
    // Every handler of this change is done: the change becomes the new diff-base.
    return { object: await this.finishChange(outcome.object, patch, memory) };
  }

  private async processDeletion(object: KubeObject, memory: ObjectMemory): Promise<RunResult> {
    const hasFinalizer = object.metadata.finalizers?.includes(this.settings.keys.finalizer) ?? false;
    const causes = detectCauses({
      deleting: true,
      hasFinalizer,
      handledBefore: true,
      essenceChanged: false,
      resumePending: false,
    });
    if (causes.length === 0) return {}; // not ours to finalise
    const steps: Step[] = this.spec.handlers
      .filter((h) => h.kind === 'delete' && handlerApplies(h.options, object))
      .map((handler) => ({ cause: 'delete' as const, handler, old: undefined, new: undefined, diff: [] }));
    const progress = readProgress(object, this.settings.keys, 'delete');
    const outcome = await this.runInOrder(object, steps, progress, memory, emptyPatch());
    // A delete handler that failed for good keeps the finalizer: the object stays, with the
    // reason in its status, until someone fixes the cause or removes the finalizer by hand.
    if (outcome.done) await this.removeFinalizer(outcome.object, memory);
    return { requeueAfterMs: outcome.requeueAfterMs };
  }

  /**
   * Runs the steps not yet done for this change, one by one in declared order, persisting
   * progress after each so a restart never repeats one that succeeded. Stops at the first
   * that must wait (retry later) or failed for good.
   */
  private async runInOrder(
    object: KubeObject,
    steps: Step[],
    progress: ProgressRecord,
    memory: ObjectMemory,
    patch: PendingPatch,
  ): Promise<StepsOutcome & { done: boolean }> {
    let current = object;
    const pending = steps.filter(
      (step) => step.handler !== NOOP && !progress.handlers[slotOf(step)]?.success,
    );
    for (const [index, step] of pending.entries()) {
      const slot = slotOf(step);
      const state = progress.handlers[slot] ?? { retries: 0 };
      if (state.failure) return { object: current, stalled: true, done: false };
      const waitMs = state.delayedUntil ? Date.parse(state.delayedUntil) - Date.now() : 0;
      if (waitMs > 0) return { object: current, requeueAfterMs: waitMs, done: false };

      const outcome = await this.invoke(current, step, state.retries, patch);
      if (outcome.kind === 'success' || (outcome.kind === 'failure' && outcome.ignored)) {
        progress.handlers[slot] = { retries: state.retries, success: true };
        if (index < pending.length - 1) current = await this.writeProgress(current, progress, patch, memory);
        continue;
      }
      const message = errorMessage(outcome.error);
      const stalled = outcome.kind === 'failure';
      progress.handlers[slot] =
        outcome.kind === 'retry'
          ? {
              retries: state.retries + 1,
              delayedUntil: new Date(Date.now() + outcome.delaySeconds * 1000).toISOString(),
              message,
            }
          : { retries: state.retries, failure: true, message };
      patch.conditions.push(...this.failureConditions(step, message, stalled, patch));
      current = await this.writeProgress(current, progress, patch, memory);
      return outcome.kind === 'retry'
        ? { object: current, requeueAfterMs: outcome.delaySeconds * 1000, done: false }
        : { object: current, stalled: true, done: false };
    }
    return { object: current, done: true };
  }

  private async runReconcile(
    object: KubeObject,
    memory: ObjectMemory,
    patch: PendingPatch,
  ): Promise<RunResult> {
    const handlers = this.spec.handlers.filter(
      (h) => h.kind === 'reconcile' && handlerApplies(h.options, object),
    );
    if (handlers.length === 0) {
      if (patch.conditions.length || Object.keys(patch.status).length)
        await this.writeStatus(object, patch, memory);
      return {};
    }
    let requeueAfterMs: number | undefined;
    for (const handler of handlers) {
      const step: Step = { cause: 'reconcile', handler, old: undefined, new: essenceOf(object), diff: [] };
      const outcome = await this.invoke(object, step, memory.reconcileFailures, patch);
      if (outcome.kind === 'success') {
        const asked = requeueRequest(outcome.result);
        if (asked !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, asked);
        continue;
      }
      if (outcome.kind === 'failure' && outcome.ignored) continue;
      memory.reconcileFailures++;
      const message = errorMessage(outcome.error);
      const stalled = outcome.kind === 'failure';
      patch.conditions.push(...this.failureConditions(step, message, stalled, patch));
      await this.writeStatus(object, patch, memory);
      const delay =
        outcome.kind === 'retry'
          ? outcome.delaySeconds
          : retryDelaySeconds(memory.reconcileFailures, handler.options.backoff);
      return { requeueAfterMs: delay * 1000 };
    }
    memory.reconcileFailures = 0;
    patch.conditions.push(...this.healthyConditions(patch));
    await this.writeStatus(object, patch, memory);
    return requeueAfterMs === undefined ? {} : { requeueAfterMs };
  }

  private async invoke(object: KubeObject, step: Step, retry: number, patch: PendingPatch): Promise<Outcome> {
    const { handler } = step;
    const logger = this.deps.logger.child({
      namespace: object.metadata.namespace,
      name: object.metadata.name,
      handler: handler.id,
      cause: step.cause,
      attempt: retry + 1,
    });
    const started = Date.now();
    const method = (this.spec.instance as Record<string, (ctx: unknown) => unknown>)[handler.method] as (
      ctx: unknown,
    ) => unknown;
    const outcome = await runHandler(
      handler,
      async (signal) =>
        method.call(
          this.spec.instance,
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
            fieldManager: this.settings.fieldManager,
          }),
        ),
      retry,
      this.deps.shutdown,
    );
    const seconds = (Date.now() - started) / 1000;
    this.deps.hooks?.onHandler?.(handler, outcome.kind, seconds);
    this.report(object, step, outcome, logger, seconds);
    return outcome;
  }

  private report(object: KubeObject, step: Step, outcome: Outcome, logger: Logger, seconds: number): void {
    const action = `${step.cause}/${step.handler.id}`;
    if (outcome.kind === 'success') {
      logger.info(`handler succeeded in ${seconds.toFixed(3)}s`);
      if (this.settings.successEvents && step.cause !== 'reconcile') {
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

  /**
   * Conditions after a failed handler. A Ready=False the handler set itself before failing
   * (say, reason HubUnavailable) is more telling than ours, so it is kept.
   */
  private failureConditions(
    step: Step,
    message: string,
    stalled: boolean,
    patch: PendingPatch,
  ): ConditionUpdate[] {
    const reason = stalled ? 'HandlerFailed' : 'HandlerRetrying';
    const text = `${step.cause}/${step.handler.id}: ${message}`;
    const ours: ConditionUpdate[] = [
      { type: 'Ready', status: 'False', reason, message: text },
      { type: 'Reconciling', status: stalled ? 'False' : 'True', reason, message: text },
      { type: 'Stalled', status: stalled ? 'True' : 'False', reason, message: stalled ? text : '' },
    ];
    const setByHandler = (c: ConditionUpdate) =>
      patch.conditions.some((own) => own.type === c.type && (c.type !== 'Ready' || own.status === 'False'));
    return ours.filter((c) => !setByHandler(c));
  }

  /** Conditions after a clean run; a condition a handler set itself in this run wins. */
  private healthyConditions(patch: PendingPatch): ConditionUpdate[] {
    const healthy: ConditionUpdate[] = [
      ...(this.settings.readyCondition === 'auto'
        ? [
            {
              type: 'Ready',
              status: 'True' as const,
              reason: 'Reconciled',
              message: 'all handlers succeeded',
            },
          ]
        : []),
      { type: 'Reconciling', status: 'False', reason: 'Reconciled', message: '' },
      { type: 'Stalled', status: 'False', reason: 'Reconciled', message: '' },
    ];
    return healthy.filter((c) => !patch.conditions.some((set) => set.type === c.type));
  }

  // ---- writes: each records the resourceVersion it produced as our own ----

  private async addFinalizer(object: KubeObject, memory: ObjectMemory): Promise<KubeObject> {
    const finalizers = [...(object.metadata.finalizers ?? []), this.settings.keys.finalizer];
    // resourceVersion makes this an optimistic-lock write: a concurrent finalizer change gives 409, not a lost update.
    const patched = await this.deps.client.mergePatch<KubeObject>(
      this.spec.resource,
      object.metadata.namespace,
      object.metadata.name ?? '',
      { metadata: { finalizers, resourceVersion: object.metadata.resourceVersion } },
    );
    return this.own(patched, memory);
  }

  private async removeFinalizer(object: KubeObject, memory: ObjectMemory): Promise<void> {
    const finalizers = (object.metadata.finalizers ?? []).filter((f) => f !== this.settings.keys.finalizer);
    const patched = await this.deps.client.mergePatch<KubeObject>(
      this.spec.resource,
      object.metadata.namespace,
      object.metadata.name ?? '',
      {
        metadata: {
          finalizers,
          resourceVersion: object.metadata.resourceVersion,
          annotations: { [this.settings.keys.progress]: null },
        },
      },
    );
    this.own(patched, memory);
  }

  private async writeProgress(
    object: KubeObject,
    progress: ProgressRecord,
    patch: PendingPatch,
    memory: ObjectMemory,
  ): Promise<KubeObject> {
    const patched = await this.patchMetadata(
      object,
      { [this.settings.keys.progress]: JSON.stringify(progress) },
      patch,
      memory,
    );
    return this.writeStatus(patched, patch, memory);
  }

  private async finishChange(
    object: KubeObject,
    patch: PendingPatch,
    memory: ObjectMemory,
  ): Promise<KubeObject> {
    memory.resumePending = false;
    const diffBase = JSON.stringify(essenceOf(object));
    const annotations = object.metadata.annotations ?? {};
    // A resume of an unchanged object leaves the bookkeeping as it was: no write for it.
    const bookkeepingCurrent =
      sameJson(annotations[this.settings.keys.diffBase], diffBase) &&
      annotations[this.settings.keys.progress] === undefined &&
      Object.keys(patch.metadata.labels).length === 0 &&
      Object.keys(patch.metadata.annotations).length === 0;
    const patched = bookkeepingCurrent
      ? object
      : await this.patchMetadata(
          object,
          { [this.settings.keys.diffBase]: diffBase, [this.settings.keys.progress]: null },
          patch,
          memory,
        );
    // With @Reconcile handlers, the status is written once, after they ran.
    if (this.spec.handlers.some((h) => h.kind === 'reconcile')) return patched;
    patch.conditions.push(...this.healthyConditions(patch));
    return this.writeStatus(patched, patch, memory);
  }

  private async patchMetadata(
    object: KubeObject,
    annotations: Record<string, string | null>,
    patch: PendingPatch,
    memory: ObjectMemory,
  ): Promise<KubeObject> {
    const metadata = {
      labels: Object.keys(patch.metadata.labels).length ? patch.metadata.labels : undefined,
      annotations: { ...patch.metadata.annotations, ...annotations },
    };
    patch.metadata = { labels: {}, annotations: {} };
    const patched = await this.deps.client.mergePatch<KubeObject>(
      this.spec.resource,
      object.metadata.namespace,
      object.metadata.name ?? '',
      { metadata },
    );
    return this.own(patched, memory);
  }

  /** Writes user status fields and conditions, only when they change anything. */
  private async writeStatus(
    object: KubeObject,
    patch: PendingPatch,
    memory: ObjectMemory,
  ): Promise<KubeObject> {
    const current = (object.status ?? {}) as { conditions?: Condition[]; observedGeneration?: number };
    const conditions = mergeConditions(current.conditions, patch.conditions, object.metadata.generation);
    const next: Record<string, unknown> = {
      ...patch.status,
      conditions,
      ...(object.metadata.generation !== undefined ? { observedGeneration: object.metadata.generation } : {}),
    };
    patch.status = {};
    patch.conditions = [];
    // Canonical: the apiserver sends objects back with their keys sorted, ours are in the
    // order we built them; an unchanged status must not be written again.
    const changed = Object.entries(next).some(
      ([k, v]) => canonicalJson((current as Record<string, unknown>)[k]) !== canonicalJson(v),
    );
    if (!changed) return object;
    const patched = await this.deps.client.mergePatch<KubeObject>(
      this.spec.resource,
      object.metadata.namespace,
      object.metadata.name ?? '',
      { status: next },
      this.spec.statusSubresource ? 'status' : undefined,
    );
    return this.own(patched, memory);
  }

  private own(object: KubeObject, memory: ObjectMemory): KubeObject {
    if (object.metadata.resourceVersion) memory.ownVersions.add(object.metadata.resourceVersion);
    return object;
  }
}

/** Placeholder step for a change no handler matches: it is still recorded as handled. */
const NOOP: HandlerSpec = { id: '', kind: 'update', qualifiedName: '', method: '', options: {} };

function slotOf(step: Step): string {
  return `${step.cause}/${step.handler.id}`;
}

function requeueRequest(result: unknown): number | undefined {
  if (result && typeof result === 'object' && 'requeueAfterSeconds' in result) {
    const seconds = (result as { requeueAfterSeconds: unknown }).requeueAfterSeconds;
    if (typeof seconds === 'number' && seconds >= 0) return seconds * 1000;
  }
  return undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether two JSON texts hold the same value, whatever their key order. */
function sameJson(stored: string | undefined, fresh: string): boolean {
  if (stored === fresh) return true;
  if (stored === undefined) return false;
  try {
    return canonicalJson(JSON.parse(stored)) === canonicalJson(JSON.parse(fresh));
  } catch {
    return false;
  }
}
