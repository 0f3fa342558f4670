// One run for one object, from the newest state known (the cache, or our own last write if
// the watch has not delivered it yet): decide the causes (create, update, field, resume,
// delete) from the object, its finalizers and its diff-base; run the matching handlers in
// declared order, persisting progress after each; keep the finalizer; run the
// level-triggered @Reconcile handlers once no change is pending; run the extensions (related
// objects, timers, daemons) whatever the change handlers' state; commit the run's pending
// patch (status first, then the record that the change was handled); tell the queue when to
// come back. Every write goes through the Committer (one semantics, with preconditions).
// How a run fails: a write refused with 409 re-reads the object and re-plans at once; 404 ends
// the run; any other refusal (422, 4xx) or error is a failure shown in conditions and a
// Warning Event with the apiserver's message, and retried with backoff.
import type { KubeClient } from '../kube/client.js';
import type { EventRecorder } from '../kube/events.js';
import { newestOf, objectKey, type KubeObject } from '../kube/object.js';
import type { Logger } from '../logging/logger.js';
import type { ControllerSpec, HandlerSpec } from '../registry.js';
import { type Condition, type ConditionUpdate } from './conditions.js';
import { Committer } from './committer.js';
import { createContext, emptyPatch, type PendingPatch } from './context.js';
import { encodeDiffBase, neverCopied, readDiffBase, sameDiffBase, type DiffBasePolicy } from './diff-base.js';
import { essenceOf, hashOf } from './essence.js';
import type { Outcome } from './executor.js';
import { HandlerRunner } from './runner.js';
import { handlerApplies } from './filters.js';
import { NOOP, planChange, planDeletion, slotOf, type Step } from './planner.js';
import {
  MAX_PROGRESS_MESSAGE,
  readProgress,
  truncated,
  type ProgressRecord,
  type StorageKeys,
} from './progress.js';
import { retryDelaySeconds } from './backoff.js';
import type { RunResult } from './work-queue.js';
import type { ExtensionRun, ProcessingExtension } from './extension.js';
import { realClock, type Clock } from '../time/clock.js';
import { classifyWriteError, describeWriteError } from './write-errors.js';

export interface ProcessorSettings {
  keys: StorageKeys;
  fieldManager: string;
  /** 'auto': the engine sets Ready from handler outcomes; 'manual': handlers set Ready, the engine only sets it False on failure. */
  readyCondition: 'auto' | 'manual';
  /** Post an Event for each successful handler too (failures always get one). */
  successEvents: boolean;
  /** Largest diff-base copy stored on an object; a larger one is stored as a hash (default 64 KiB). */
  maxDiffBaseBytes?: number;
}

export const DEFAULT_MAX_DIFF_BASE_BYTES = 64 * 1024;
/** Longest condition message the engine writes (the apiserver's messages can be long). */
const MAX_CONDITION_MESSAGE = 1024;

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
  /** Shared with the controller's other handler kinds; built from the above when absent. */
  runner?: HandlerRunner;
  /** Times retries, backoff and wake-ups (default: real time). */
  clock?: Clock;
}

/** Why a run happens, carried into every log line of its handlers. */
export type WakeReason = 'change' | 'scheduled' | 'related' | 'owned' | 'watched' | 'resync';

interface ObjectMemory {
  /** Why the current (or last) run happens. */
  wake: WakeReason;
  /** The newest state we know of (our own last write, or a re-read after a conflict). */
  latest: KubeObject | undefined;
  /** The object existed, already handled, when this process first saw it: resume handlers are due. */
  resumePending: boolean;
  /** Failed attempts of the @Reconcile handlers in a row, for their backoff. */
  reconcileFailures: number;
  /** Failed writes (refused or errors) in a row, for their backoff. */
  writeFailures: number;
  /** The essence a write failed for: until it changes, the failure's backoff holds. */
  failedEssenceHash: string | undefined;
  /** 409s in a row: re-plans are immediate at first, then slowed down. */
  conflicts: number;
  firstSeenAt: number;
  /** When the essence last changed, as seen by this process (idle timers). */
  changedAt: number;
  essenceHash: string;
  /** What @Reconcile reacts to (essence, labels, foreign annotations) when it last ran. */
  levelFingerprint: string | undefined;
  /** When @Reconcile asked to run again (its requeueAfterSeconds, or its retry backoff). */
  reconcileDueAt: number | undefined;
  /** The next planned run (timers, retries), as an absolute time. */
  nextWakeAt: number | undefined;
}

type StepsOutcome = { object: KubeObject; done: boolean; requeueAfterMs?: number };

export class ObjectProcessor {
  private readonly memory = new Map<string, ObjectMemory>();
  private readonly needsFinalizer: boolean;
  private readonly extensions: ProcessingExtension[];
  private readonly committer: Committer;
  private readonly diffBasePolicy: DiffBasePolicy;
  private readonly hasReconcile: boolean;
  private readonly runner: HandlerRunner;
  private readonly clock: Clock;

  constructor(
    private readonly spec: ControllerSpec,
    private readonly settings: ProcessorSettings,
    private readonly deps: ProcessorDeps,
  ) {
    this.extensions = deps.extensions ?? [];
    this.clock = deps.clock ?? realClock;
    // Delete handlers need the object kept until they ran; daemons need to learn of the deletion.
    this.needsFinalizer =
      spec.handlers.some((h) => h.kind === 'delete') || this.extensions.some((e) => e.needsFinalizer);
    this.committer = new Committer(spec.resource, spec.statusSubresource, deps.client, (written) => {
      const memory = this.memory.get(objectKey(written));
      if (memory) memory.latest = newestOf(written, memory.latest);
    });
    // Only update and field handlers see old values; everyone else needs "did it change" only.
    const usesOld = spec.handlers.some((h) => h.kind === 'update' || h.kind === 'field');
    this.diffBasePolicy = usesOld && !neverCopied(spec.resource) ? 'copy' : 'hash';
    this.hasReconcile = spec.handlers.some((h) => h.kind === 'reconcile');
    this.runner =
      deps.runner ??
      new HandlerRunner({ shutdown: deps.shutdown, client: deps.client, onHandler: deps.hooks?.onHandler });
  }

  /** The object is gone from the cluster: forget what we kept about it. */
  forget(key: string): void {
    this.memory.delete(key);
    for (const extension of this.extensions) void extension.release?.(key);
  }

  /**
   * The watch stopped delivering an object that still carries our finalizer: it no longer
   * matches the controller's label selector (a real deletion cannot finish while our finalizer
   * is on). It is not ours any more, so the finalizer goes, or its deletion would hang forever.
   */
  async disown(object: KubeObject): Promise<void> {
    const { namespace, name = '' } = object.metadata;
    const ours = (o: KubeObject | undefined) =>
      o?.metadata.finalizers?.includes(this.settings.keys.finalizer) &&
      !this.spec.handlers.some((h) => handlerApplies(h.options, o));
    if (!object.metadata.finalizers?.includes(this.settings.keys.finalizer)) return;
    // The watch reports the state from before the object left the selector: read it afresh.
    // A conflict (the object is being deleted or edited right now) re-reads and tries again.
    let current = await this.deps.client
      .find<KubeObject>(this.spec.resource, namespace, name)
      .catch(() => undefined);
    for (let attempt = 0; attempt < 5 && ours(current); attempt++) {
      try {
        await this.committer.setFinalizers(
          current as KubeObject,
          (current?.metadata.finalizers ?? []).filter((f) => f !== this.settings.keys.finalizer),
        );
        this.deps.logger.info('no longer matches the selector; removed our finalizer', { namespace, name });
        return;
      } catch (error) {
        const failure = classifyWriteError(error);
        if (failure === 'gone' || failure === 'deposed') return;
        if (failure !== 'conflict') {
          this.deps.logger.warn(
            `could not remove the finalizer of an object that left the selector: ${String(error)}`,
            {
              namespace,
              name,
            },
          );
          return;
        }
        current = await this.deps.client
          .find<KubeObject>(this.spec.resource, namespace, name)
          .catch(() => undefined);
      }
    }
  }

  /** `woken`: the run was asked for by something other than the object's own change. */
  async process(
    key: string,
    cached: KubeObject,
    woken?: Exclude<WakeReason, 'change' | 'scheduled'>,
  ): Promise<RunResult> {
    const force = woken !== undefined;
    const memory = this.remember(key, cached);
    // The watch can still be behind our own last write: never plan from an older state.
    const object = newestOf(cached, memory.latest);
    if (object === cached) memory.latest = undefined;
    const essenceHash = hashOf(essenceOf(object));
    if (essenceHash !== memory.essenceHash)
      [memory.essenceHash, memory.changedAt] = [essenceHash, this.clock.now()];
    // A failed write backs off, even against the echo of the failure conditions; a change of
    // the object (say, the spec fix) is tried at once.
    const backingOff = memory.nextWakeAt !== undefined && memory.nextWakeAt > this.clock.now();
    if (
      memory.writeFailures > 0 &&
      backingOff &&
      memory.failedEssenceHash === essenceHash &&
      !object.metadata.deletionTimestamp
    )
      return this.wakeAt(memory, memory.nextWakeAt);
    try {
      const result = object.metadata.deletionTimestamp
        ? await this.processDeletion(key, object, memory)
        : await this.processLive(key, object, memory, force, woken);
      memory.writeFailures = 0;
      memory.conflicts = 0;
      return result;
    } catch (error) {
      return this.writeFailed(object, memory, error);
    }
  }

  private async processLive(
    key: string,
    object: KubeObject,
    memory: ObjectMemory,
    force: boolean,
    woken: WakeReason | undefined,
  ): Promise<RunResult> {
    let current = object;
    if (this.needsFinalizer && !current.metadata.finalizers?.includes(this.settings.keys.finalizer)) {
      current = await this.committer.setFinalizers(current, [
        ...(current.metadata.finalizers ?? []),
        this.settings.keys.finalizer,
      ]);
    }
    const steps = this.changeSteps(current, memory);
    // Status or bookkeeping writes (ours or anyone's) are not changes: nothing runs for them,
    // and the wake-up already planned (timers, retries) stays, unless it is what brought us here.
    const wakeUpDue = memory.nextWakeAt !== undefined && memory.nextWakeAt <= this.clock.now();
    const unchanged = memory.levelFingerprint === this.levelFingerprint(current);
    if (steps.length === 0 && unchanged && !force && !wakeUpDue)
      return this.wakeAt(memory, memory.nextWakeAt);

    memory.wake = woken ?? (steps.length > 0 || !unchanged ? 'change' : 'scheduled');
    const patch = emptyPatch();
    const change: StepsOutcome =
      steps.length > 0 ? await this.runSteps(current, steps, memory, patch) : { object: current, done: true };
    current = change.object;
    if (steps.length === 0) this.abandonStaleChange(current, patch);
    const wakes: number[] = [];
    if (change.requeueAfterMs !== undefined) wakes.push(this.clock.now() + change.requeueAfterMs);
    const extend = async (phase: ProcessingExtension['phase']) => {
      for (const extension of this.extensions.filter((e) => e.phase === phase)) {
        const result = await extension.run(this.extensionRun(key, current, memory, patch));
        if (result.object) current = result.object;
        if (result.wakeAt !== undefined) wakes.push(result.wakeAt);
      }
    };
    // Related handlers, timers and daemons do not wait for a retrying change handler (as in
    // Kopf); @Reconcile does: it acts on a spec whose change handlers have not all succeeded.
    await extend('before-reconcile');
    // @Reconcile runs for a change, a wake-up meant for it, or its own requeue; not when only a
    // timer or a retry of something else is due.
    const reconcileDue =
      steps.length > 0 ||
      !unchanged ||
      force ||
      (memory.reconcileDueAt !== undefined && memory.reconcileDueAt <= this.clock.now());
    if (change.done && reconcileDue) {
      const reconcile = await this.runReconcile(current, memory, patch);
      memory.reconcileDueAt =
        reconcile.requeueAfterMs === undefined ? undefined : this.clock.now() + reconcile.requeueAfterMs;
    }
    if (memory.reconcileDueAt !== undefined) wakes.push(memory.reconcileDueAt);
    current = await this.committer.commit(current, patch, { observed: change.done });
    await extend('after-reconcile');
    memory.levelFingerprint = this.levelFingerprint(current);
    return this.wakeAt(memory, Math.min(Infinity, ...wakes));
  }

  /**
   * A write was refused or failed. 409: the object changed under us; re-read it and re-plan
   * (the handler's outcome is discarded, as it was computed from an outdated state). Anything
   * else: show it (conditions, Warning Event, log) and retry the run with backoff.
   */
  private async writeFailed(object: KubeObject, memory: ObjectMemory, error: unknown): Promise<RunResult> {
    const failure = classifyWriteError(error);
    const { namespace, name = '' } = object.metadata;
    if (failure === 'gone') return {};
    if (failure === 'deposed') return {}; // the new leader carries on from what is stored
    if (failure === 'conflict') {
      memory.conflicts++;
      this.deps.logger.debug('conflict while writing; re-planning from a fresh read', { namespace, name });
      const fresh = await this.deps.client
        .find<KubeObject>(this.spec.resource, namespace, name)
        .catch(() => undefined);
      // Re-planning after a conflict is the engine's own mechanics, not time a user schedules.
      if (!fresh) return { requeueAfterMs: 1000, realTime: true };
      memory.latest = newestOf(fresh, memory.latest);
      return { requeueAfterMs: Math.min(50 * 2 ** (memory.conflicts - 1), 5000), realTime: true };
    }
    memory.writeFailures++;
    memory.failedEssenceHash = hashOf(essenceOf(object));
    const delaySeconds = retryDelaySeconds(memory.writeFailures - 1, { initialSeconds: 2 });
    const message = truncated(describeWriteError(error), MAX_CONDITION_MESSAGE);
    const rejected = failure === 'rejected';
    this.deps.logger.warn(`${message}; retrying in ${delaySeconds.toFixed(1)}s`, { namespace, name });
    const reason = rejected ? 'WriteRejected' : 'WriteFailed';
    void this.deps.events.post(object, {
      type: 'Warning',
      reason,
      action: 'write',
      note: `${message}; retrying in ${delaySeconds.toFixed(1)}s`,
    });
    try {
      // Conditions only, onto a fresh read: they must get through even when the rest did not.
      const fresh = await this.deps.client.get<KubeObject>(this.spec.resource, namespace, name);
      const patch = emptyPatch();
      patch.conditions.push(
        { type: 'Ready', status: 'False', reason, message },
        { type: 'Reconciling', status: rejected ? 'False' : 'True', reason, message },
        { type: 'Stalled', status: rejected ? 'True' : 'False', reason, message: rejected ? message : '' },
      );
      await this.committer.commit(fresh, patch);
    } catch (conditionError) {
      this.deps.logger.debug(`could not write the failure conditions: ${String(conditionError)}`);
    }
    return this.wakeAt(memory, this.clock.now() + delaySeconds * 1000);
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
      invoke: (handler, cause, change, retry, own) =>
        this.invoke(object, { cause, handler, ...change }, retry, own ?? emptyPatch()),
      commit: (target, own) => this.committer.commit(target, own),
    };
  }

  /** Remembers and returns the next wake-up (an absolute time), so a skipped run can keep it. */
  private wakeAt(memory: ObjectMemory, at: number | undefined): RunResult {
    memory.nextWakeAt = at !== undefined && Number.isFinite(at) ? at : undefined;
    return memory.nextWakeAt === undefined
      ? {}
      : { requeueAfterMs: Math.max(0, memory.nextWakeAt - this.clock.now()) };
  }

  private remember(key: string, object: KubeObject): ObjectMemory {
    let memory = this.memory.get(key);
    if (!memory) {
      const handledBefore = readDiffBase(object, this.settings.keys.diffBase) !== undefined;
      memory = {
        wake: 'change',
        latest: undefined,
        resumePending: handledBefore,
        reconcileFailures: 0,
        writeFailures: 0,
        failedEssenceHash: undefined,
        conflicts: 0,
        firstSeenAt: this.clock.now(),
        changedAt: this.clock.now(),
        essenceHash: '',
        levelFingerprint: undefined,
        reconcileDueAt: undefined,
        nextWakeAt: undefined,
      };
      this.memory.set(key, memory);
    }
    return memory;
  }

  /** What level-triggered handlers react to: the essence, labels, and annotations not ours. */
  private levelFingerprint(object: KubeObject): string {
    const ours = Object.values(this.settings.keys);
    const annotations = Object.entries(object.metadata.annotations ?? {}).filter(([k]) => !ours.includes(k));
    return hashOf([essenceOf(object), object.metadata.labels ?? {}, Object.fromEntries(annotations)]);
  }

  /** The handlers due for this object's current state, in declared order (the planner's answer). */
  private changeSteps(object: KubeObject, memory: ObjectMemory): Step[] {
    return planChange({
      object,
      base: readDiffBase(object, this.settings.keys.diffBase),
      handlers: this.spec.handlers,
      resumePending: memory.resumePending,
    });
  }

  private async runSteps(
    object: KubeObject,
    steps: Step[],
    memory: ObjectMemory,
    patch: PendingPatch,
  ): Promise<StepsOutcome> {
    const progress = readProgress(object, this.settings.keys, hashOf(essenceOf(object)));
    const outcome = await this.runInOrder(object, steps, progress, memory, patch, false);
    if (!outcome.done) return outcome;
    // Every handler of this change is done: the change becomes the new diff-base, recorded by
    // the run's final commit after its status (so a crash in between re-runs, never loses).
    memory.resumePending = false;
    this.recordHandled(outcome.object, patch);
    if (!this.hasReconcile) patch.conditions.push(...this.healthyConditions(patch));
    return outcome;
  }

  /**
   * No handler is due, yet a change's progress is still recorded: the spec went back to the one
   * last handled (say, a failed update undone), and that change is abandoned. Its record goes,
   * and without @Reconcile (which sets them itself) the conditions say the current spec is
   * handled, for this generation; else the abandoned change's failure would stay Stalled for good.
   */
  private abandonStaleChange(object: KubeObject, patch: PendingPatch): void {
    if (object.metadata.annotations?.[this.settings.keys.progress] === undefined) return;
    patch.metadata.annotations[this.settings.keys.progress] = null;
    if (!this.hasReconcile) patch.conditions.push(...this.healthyConditions(patch));
  }

  /** Puts the new diff-base (and the end of the progress record) into the run's patch. */
  private recordHandled(object: KubeObject, patch: PendingPatch): void {
    const { keys } = this.settings;
    const annotations = object.metadata.annotations ?? {};
    const maxBytes = this.settings.maxDiffBaseBytes ?? DEFAULT_MAX_DIFF_BASE_BYTES;
    const encoded = encodeDiffBase(essenceOf(object), this.diffBasePolicy, maxBytes);
    if (!sameDiffBase(annotations[keys.diffBase], encoded.value))
      patch.metadata.annotations[keys.diffBase] = encoded.value;
    if (annotations[keys.progress] !== undefined) patch.metadata.annotations[keys.progress] = null;
    const stored = ((object.status ?? {}) as { conditions?: Condition[] }).conditions?.find(
      (c) => c.type === 'StateStored',
    );
    if (encoded.tooLargeBytes !== undefined) {
      patch.conditions.push({
        type: 'StateStored',
        status: 'False',
        reason: 'DiffBaseTooLarge',
        message:
          `the last handled configuration (${Math.ceil(encoded.tooLargeBytes / 1024)} KiB) is over the ` +
          `${Math.floor(maxBytes / 1024)} KiB limit: only its hash is stored, so update and field handlers get no old values`,
      });
    } else if (stored?.status === 'False') {
      patch.conditions.push({ type: 'StateStored', status: 'True', reason: 'Stored', message: '' });
    }
  }

  private async processDeletion(key: string, object: KubeObject, memory: ObjectMemory): Promise<RunResult> {
    await Promise.all(this.extensions.map((extension) => extension.release?.(key)));
    const hasFinalizer = object.metadata.finalizers?.includes(this.settings.keys.finalizer) ?? false;
    const steps = planDeletion(object, hasFinalizer, this.spec.handlers);
    if (!steps) return {}; // not ours to finalise
    const progress = readProgress(object, this.settings.keys, 'delete');
    const patch = emptyPatch();
    // The last handler's success is persisted too: if the finalizer removal then fails, the
    // next run finds every delete handler done and only removes the finalizer.
    const outcome = await this.runInOrder(object, steps, progress, memory, patch, true);
    // A delete handler that failed for good keeps the finalizer: the object stays, with the
    // reason in its status, until someone fixes the cause or removes the finalizer by hand.
    if (!outcome.done) return { requeueAfterMs: outcome.requeueAfterMs };
    const current = await this.committer.commit(outcome.object, patch);
    await this.committer.setFinalizers(
      current,
      (current.metadata.finalizers ?? []).filter((f) => f !== this.settings.keys.finalizer),
    );
    return {};
  }

  /**
   * Runs the steps not yet done for this change, one by one in declared order, persisting
   * progress after each (status first) so a restart never repeats one that succeeded. Stops
   * at the first that must wait (retry later) or failed for good.
   */
  private async runInOrder(
    object: KubeObject,
    steps: Step[],
    progress: ProgressRecord,
    memory: ObjectMemory,
    patch: PendingPatch,
    persistLast: boolean,
  ): Promise<StepsOutcome> {
    let current = object;
    const pending = steps.filter(
      (step) => step.handler !== NOOP && !progress.handlers[slotOf(step)]?.success,
    );
    const persist = async () => {
      patch.metadata.annotations[this.settings.keys.progress] = JSON.stringify(progress);
      current = await this.committer.commit(current, patch);
    };
    for (const [index, step] of pending.entries()) {
      const slot = slotOf(step);
      const state = progress.handlers[slot] ?? { retries: 0 };
      if (state.failure) return { object: current, done: false };
      const waitMs = state.delayedUntil ? Date.parse(state.delayedUntil) - this.clock.now() : 0;
      if (waitMs > 0) return { object: current, requeueAfterMs: waitMs, done: false };

      const outcome = await this.invoke(current, step, state.retries, patch);
      if (outcome.kind === 'success' || (outcome.kind === 'failure' && outcome.ignored)) {
        progress.handlers[slot] = { retries: state.retries, success: true };
        if (index < pending.length - 1 || persistLast) await persist();
        continue;
      }
      const message = truncated(errorMessage(outcome.error), MAX_PROGRESS_MESSAGE);
      const stalled = outcome.kind === 'failure';
      // Due from the failure, not from the end of the write below (the clock may move meanwhile).
      const retryAt = outcome.kind === 'retry' ? this.clock.now() + outcome.delaySeconds * 1000 : undefined;
      progress.handlers[slot] =
        retryAt !== undefined
          ? { retries: state.retries + 1, delayedUntil: new Date(retryAt).toISOString(), message }
          : { retries: state.retries, failure: true, message };
      patch.conditions.push(...this.failureConditions(step, message, stalled, patch));
      await persist();
      return retryAt !== undefined
        ? { object: current, requeueAfterMs: retryAt - this.clock.now(), done: false }
        : { object: current, done: false };
    }
    return { object: current, done: true };
  }

  /** Runs the @Reconcile handlers; their outcome goes into `patch` (conditions), committed by the caller. */
  private async runReconcile(
    object: KubeObject,
    memory: ObjectMemory,
    patch: PendingPatch,
  ): Promise<RunResult> {
    const handlers = this.spec.handlers.filter(
      (h) => h.kind === 'reconcile' && handlerApplies(h.options, object),
    );
    if (handlers.length === 0) return {};
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
      const message = truncated(errorMessage(outcome.error), MAX_CONDITION_MESSAGE);
      const stalled = outcome.kind === 'failure';
      patch.conditions.push(...this.failureConditions(step, message, stalled, patch));
      const delay =
        outcome.kind === 'retry'
          ? outcome.delaySeconds
          : retryDelaySeconds(memory.reconcileFailures, handler.options.backoff);
      return { requeueAfterMs: delay * 1000 };
    }
    memory.reconcileFailures = 0;
    patch.conditions.push(...this.healthyConditions(patch));
    return requeueAfterMs === undefined ? {} : { requeueAfterMs };
  }

  private async invoke(object: KubeObject, step: Step, retry: number, patch: PendingPatch): Promise<Outcome> {
    const { handler } = step;
    const logger = this.deps.logger.child({
      namespace: object.metadata.namespace,
      name: object.metadata.name,
      handler: handler.id,
      cause: step.cause,
      wake: this.memory.get(objectKey(object))?.wake ?? 'change',
      attempt: retry + 1,
    });
    const { outcome, seconds } = await this.runner.invoke({
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
          fieldManager: this.settings.fieldManager,
        }),
    });
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
