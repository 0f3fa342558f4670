// The committer, the last of a run's three visits: turns the run's outcome into the fewest
// writes, with one semantics for every handler kind. What the handlers put in their patch,
// the progress of the change (or, once all its handlers succeeded, the new diff-base), the
// extensions' bookkeeping (timer stamps, related hashes) and the conditions of the run
// (health.ts) go out in one commit: status first, then metadata, each conditional on the
// object's version (object-writer.ts). A deletion whose handlers are done also removes our
// finalizer, after their success is recorded. It remembers what the next plan needs
// (failures and their retries, @Reconcile's requeue, the level it handled) and tells the
// queue when to come back.
// How a commit fails: a write refused with 409 re-reads the object and re-plans at once
// (slowed down if it repeats); 404 ends the run; a deposed leader stops; any other refusal
// (422, 4xx) or error is shown in conditions and a Warning Event with the apiserver's message,
// and the run is retried with backoff (never a hot loop).
import type { KubeClient } from '../kube/client.js';
import type { EventRecorder } from '../kube/events.js';
import { newestOf, type KubeObject } from '../kube/object.js';
import type { Logger } from '../logging/logger.js';
import type { ControllerSpec } from '../registry.js';
import { retryDelaySeconds } from './backoff.js';
import type { Condition } from './conditions.js';
import { emptyPatch, type PendingPatch } from './context.js';
import { encodeDiffBase, neverCopied, sameDiffBase, type DiffBasePolicy } from './diff-base.js';
import { essenceHashOf, essenceOf } from './essence.js';
import type { Outcome } from './executor.js';
import type { StepResult } from './extension.js';
import { runConditions, writeFailureConditions, type Failure } from './health.js';
import { scheduleWake, type HandlerFailure, type ObjectMemory } from './memory.js';
import { ObjectWriter, type WriteOptions } from './object-writer.js';
import { errorMessage, type RunOutcome } from './plan-runner.js';
import { levelFingerprint, slotOf, type ActivePlan, type ChangePlan } from './planner.js';
import { MAX_PROGRESS_MESSAGE, truncated, type HandlerProgress, type StorageKeys } from './progress.js';
import type { RecordChanges, StateStore } from './state-store.js';
import type { RunResult } from './work-queue.js';
import type { Clock } from '../time/clock.js';
import { classifyWriteError, describeWriteError } from './write-errors.js';

export interface CommitterSettings {
  keys: StorageKeys;
  readyCondition: 'auto' | 'manual';
  maxDiffBaseBytes: number;
  /** Where the record of a change (diff-base, progress) goes: annotations or status. */
  store: StateStore;
}

export interface CommitterDeps {
  client: KubeClient;
  events: EventRecorder;
  logger: Logger;
  /** Times retries and backoff. */
  clock: Clock;
  /** The newest state written, so the next run starts from it even if the watch lags. */
  onWritten: (object: KubeObject) => void;
}

/** Longest condition message the engine writes (the apiserver's messages can be long). */
const MAX_CONDITION_MESSAGE = 1024;
/** The order failures are shown in: the object's own change first. */
const KIND_ORDER = ['create', 'update', 'resume', 'field', 'delete', 'reconcile', 'related', 'timer'];

export class Committer {
  readonly writer: ObjectWriter;
  private readonly diffBasePolicy: DiffBasePolicy;
  private readonly hasReconcile: boolean;

  constructor(
    private readonly spec: ControllerSpec,
    private readonly settings: CommitterSettings,
    private readonly deps: CommitterDeps,
  ) {
    this.writer = new ObjectWriter(spec.resource, spec.statusSubresource, deps.client, deps.onWritten);
    // Only update and field handlers see old values; everyone else needs "did it change" only.
    const usesOld = spec.handlers.some((h) => h.kind === 'update' || h.kind === 'field');
    this.diffBasePolicy = usesOld && !neverCopied(spec.resource) ? 'copy' : 'hash';
    this.hasReconcile = spec.handlers.some((h) => h.kind === 'reconcile');
  }

  async commit(
    object: KubeObject,
    plan: ActivePlan,
    outcome: RunOutcome,
    memory: ObjectMemory,
    now: number,
  ): Promise<RunResult> {
    try {
      const result = await this.write(object, plan, outcome, memory, now);
      memory.writeFailures = 0;
      memory.conflicts = 0;
      return result;
    } catch (error) {
      return this.failed(object, memory, error);
    }
  }

  private async write(
    object: KubeObject,
    plan: ActivePlan,
    outcome: RunOutcome,
    memory: ObjectMemory,
    now: number,
  ): Promise<RunResult> {
    const { keys } = this.settings;
    const { patch, results } = outcome;
    if (plan.kind === 'adopt') {
      await this.writer.setFinalizers(object, [...(object.metadata.finalizers ?? []), keys.finalizer]);
      return { requeueAfterMs: 0, realTime: true }; // the handlers run at once, on the state just written
    }
    const change = plan.change;
    if (!change) return {}; // being deleted, not ours to finalise
    const recorded = outcome.changeDone && change.pending;
    const changeResults = results.filter((r) => !isExtension(r) && r.step.cause !== 'reconcile');
    for (const { step, outcome: o, at } of changeResults)
      change.progress.handlers[slotOf(step)] = progressAfter(step.retry, o, at);
    if (plan.kind === 'finalize') {
      // The last delete handler's success is stored too: if the finalizer removal then fails,
      // the next run finds every delete handler done and only removes the finalizer.
      const record: RecordChanges =
        changeResults.length > 0 ? { progress: JSON.stringify(change.progress) } : {};
      patch.conditions.push(...this.conditions(changeResults, 0, false, patch));
      const written = await this.writeWithRecord(object, patch, record);
      // A delete handler that failed for good keeps the finalizer: the object stays, with the
      // reason in its status, until someone fixes the cause or removes the finalizer by hand.
      if (!outcome.changeDone)
        return scheduleWake(memory, wakeAfter(change, changeResults, results, now), now);
      await this.writer.setFinalizers(
        written,
        (written.metadata.finalizers ?? []).filter((f) => f !== keys.finalizer),
      );
      return {};
    }

    const wakes: number[] = [wakeAfter(change, changeResults, results, now)];
    let record: RecordChanges = {};
    if (recorded) {
      // Every handler of this change is done: the change becomes the new diff-base, written
      // with the run's status (in the same request in the status mode; after it otherwise, so
      // a crash in between re-runs, never loses).
      memory.resumePending = false;
      record = this.recordHandled(object, patch);
    } else if (changeResults.length > 0) {
      record = { progress: JSON.stringify(change.progress) };
    } else if (change.abandoned) {
      // Its record goes; without @Reconcile (which sets them itself) the conditions say the
      // current spec is handled, or the abandoned change's failure would stay Stalled for good.
      record = { progress: null };
    }
    const others = results.filter((r) => !changeResults.includes(r));
    const cleared = this.rememberFailures(others, memory);
    const reconciled = others.filter((r) => r.step.cause === 'reconcile');
    const reconcileOk = reconciled.length > 0 && reconciled.every((r) => succeeded(r));
    if (reconciled.length > 0) memory.reconcileDueAt = reconcileDueAt(reconciled, memory, now);
    // A cleared failure had replaced what @Reconcile said about the object: it says it again.
    const reconcileAgain = cleared && this.hasReconcile && !reconcileOk && outcome.changeDone;
    if (reconcileAgain) memory.reconcileDueAt = now;
    if (memory.reconcileDueAt !== undefined) wakes.push(memory.reconcileDueAt);
    for (const extension of plan.extensions) {
      const mine = results.filter((r) => extension.plan.steps.includes(r.step));
      const settled = extension.plan.settle(mine);
      Object.assign(patch.metadata.annotations, settled.annotations ?? {});
      if (settled.wakeAt !== undefined) wakes.push(settled.wakeAt);
    }
    const abandonedHealthy = change.abandoned === true && !this.hasReconcile;
    const healthy = recorded || reconcileOk || (cleared && !reconcileAgain) || abandonedHealthy;
    const unhandled = change.pending && !outcome.changeDone ? 1 : 0;
    patch.conditions.push(...this.conditions(results, unhandled + memory.failures.size, healthy, patch));
    // What @Reconcile saw, plus the labels and annotations the run itself set: not the object as
    // written, which (after a 409 retried on a fresh read) can hold someone's label edit that no
    // handler has seen yet.
    const handled = levelFingerprint(object, keys, metadataWith(object, patch.metadata));
    await this.writeWithRecord(object, patch, record, { observed: outcome.changeDone });
    memory.levelFingerprint = handled;
    return scheduleWake(memory, Math.min(Infinity, ...wakes), now);
  }

  /** What the run says about the object's health (see health.ts). */
  private conditions(results: StepResult[], standing: number, healthy: boolean, patch: PendingPatch) {
    const failed: Failure[] = results
      .filter((r) => !succeeded(r))
      .sort((a, b) => KIND_ORDER.indexOf(a.step.cause) - KIND_ORDER.indexOf(b.step.cause))
      .map((r) => ({
        message: truncated(`${slotOf(r.step)}: ${errorMessage(errorOf(r))}`, MAX_CONDITION_MESSAGE),
        stalled: r.outcome.kind === 'failure',
      }));
    return runConditions({ failed, standing, healthy }, patch, this.settings.readyCondition);
  }

  /** Records the failures of @Reconcile, timers and related handlers; true if one was cleared. */
  private rememberFailures(results: StepResult[], memory: ObjectMemory): boolean {
    let cleared = false;
    for (const { step, outcome, at } of results) {
      const slot = slotOf(step);
      if (outcome.kind === 'success' || (outcome.kind === 'failure' && outcome.ignored)) {
        cleared = memory.failures.delete(slot) || cleared;
        continue;
      }
      const failure: HandlerFailure = {
        retries: step.retry + 1,
        stalled: outcome.kind === 'failure',
        message: truncated(`${slot}: ${errorMessage(outcome.error)}`, MAX_CONDITION_MESSAGE),
        ...(outcome.kind === 'retry' ? { retryAt: at + outcome.delaySeconds * 1000 } : {}),
      };
      // A timer or related handler that failed for good starts its next run (the next
      // interval, the next change) afresh; @Reconcile keeps backing off.
      if (failure.stalled && step.cause !== 'reconcile') failure.retries = 0;
      memory.failures.set(slot, failure);
    }
    return cleared && memory.failures.size === 0;
  }

  /**
   * Writes the run's patch with the record of the change in it; in the status mode, if the
   * status schema pruned the record, falls back to annotations and writes it there.
   */
  private async writeWithRecord(
    object: KubeObject,
    patch: PendingPatch,
    record: RecordChanges,
    options?: WriteOptions,
  ): Promise<KubeObject> {
    const { store } = this.settings;
    const placed = store.put(object, patch, record);
    const written = await this.writer.write(object, patch, options);
    if (!store.pruned(written, record, placed)) return written;
    if (store.mode === 'status')
      this.deps.logger.warn(
        `the status schema of ${this.spec.resource.plural} drops the field the framework keeps its ` +
          `record in; keeping it in annotations instead (declare the field to save a write per change)`,
      );
    store.fallBack();
    store.put(written, patch, record);
    return this.writer.write(written, patch);
  }

  /** The new diff-base (and the end of the progress record); a condition if it could not be stored whole. */
  private recordHandled(object: KubeObject, patch: PendingPatch): RecordChanges {
    const { maxDiffBaseBytes, store } = this.settings;
    const record: RecordChanges = {};
    const encoded = encodeDiffBase(essenceOf(object), this.diffBasePolicy, maxDiffBaseBytes);
    if (!sameDiffBase(store.read(object, 'diffBase'), encoded.value)) record.diffBase = encoded.value;
    if (store.read(object, 'progress') !== undefined) record.progress = null;
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
          `${Math.floor(maxDiffBaseBytes / 1024)} KiB limit: only its hash is stored, so update and field handlers get no old values`,
      });
    } else if (stored?.status === 'False') {
      patch.conditions.push({ type: 'StateStored', status: 'True', reason: 'Stored', message: '' });
    }
    return record;
  }

  /**
   * A write was refused or failed (or the run could not proceed). 409: the object changed
   * under us; re-read it and re-plan (the handlers' outcome is discarded, as it was computed
   * from an outdated state). Anything else: show it (conditions, Warning Event, log) and
   * retry the run with backoff.
   */
  async failed(object: KubeObject, memory: ObjectMemory, error: unknown): Promise<RunResult> {
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
    memory.failedEssenceHash = essenceHashOf(object);
    const delaySeconds = retryDelaySeconds(memory.writeFailures - 1, { initialSeconds: 2 });
    const message = truncated(describeWriteError(error), MAX_CONDITION_MESSAGE);
    const rejected = failure === 'rejected';
    this.deps.logger.warn(`${message}; retrying in ${delaySeconds.toFixed(1)}s`, { namespace, name });
    void this.deps.events.post(object, {
      type: 'Warning',
      reason: rejected ? 'WriteRejected' : 'WriteFailed',
      action: 'write',
      note: `${message}; retrying in ${delaySeconds.toFixed(1)}s`,
    });
    try {
      // Conditions only, onto a fresh read: they must get through even when the rest did not.
      const fresh = await this.deps.client.get<KubeObject>(this.spec.resource, namespace, name);
      const patch = emptyPatch();
      patch.conditions.push(...writeFailureConditions(message, rejected));
      await this.writer.write(fresh, patch);
    } catch (conditionError) {
      this.deps.logger.debug(`could not write the failure conditions: ${String(conditionError)}`);
    }
    const now = this.deps.clock.now();
    return scheduleWake(memory, now + delaySeconds * 1000, now);
  }
}

/** `object`'s labels and annotations with those of `metadata` set (null: removed). */
function metadataWith(object: KubeObject, metadata: PendingPatch['metadata']) {
  const apply = (current: Record<string, string> | undefined, changes: Record<string, string | null>) => {
    const next: Record<string, string> = { ...current };
    for (const [k, v] of Object.entries(changes))
      if (v === null) delete next[k];
      else next[k] = v;
    return next;
  };
  return {
    labels: apply(object.metadata.labels, metadata.labels),
    annotations: apply(object.metadata.annotations, metadata.annotations),
  };
}

function succeeded({ outcome }: StepResult): boolean {
  return outcome.kind === 'success' || (outcome.kind === 'failure' && outcome.ignored);
}

function errorOf({ outcome }: StepResult): unknown {
  return outcome.kind === 'success' ? undefined : outcome.error;
}

function isExtension({ step }: StepResult): boolean {
  return step.cause === 'related' || step.cause === 'timer' || step.cause === 'daemon';
}

/** A change handler's progress entry after an attempt. */
function progressAfter(retries: number, outcome: Outcome, now: number): HandlerProgress {
  if (outcome.kind === 'success' || (outcome.kind === 'failure' && outcome.ignored))
    return { retries, success: true };
  const message = truncated(errorMessage(outcome.error), MAX_PROGRESS_MESSAGE);
  if (outcome.kind === 'failure') return { retries, failure: true, message };
  return {
    retries: retries + 1,
    delayedUntil: new Date(now + outcome.delaySeconds * 1000).toISOString(),
    message,
  };
}

/** When the change handlers (or any retried step) want the next run. */
function wakeAfter(
  change: ChangePlan,
  changeResults: StepResult[],
  results: StepResult[],
  now: number,
): number {
  const waits = results.map(({ outcome, at }) =>
    outcome.kind === 'retry' ? at + outcome.delaySeconds * 1000 : Infinity,
  );
  if (change.blocked?.waitMs !== undefined) waits.push(now + change.blocked.waitMs);
  // The next handler of this change runs at once, in the next run, from the state written now.
  if (change.remaining > 0 && changeResults.length > 0 && changeResults.every(succeeded)) waits.push(now);
  return Math.min(Infinity, ...waits);
}

/** When @Reconcile runs again: its own requeue request, or its retry backoff after a failure. */
function reconcileDueAt(results: StepResult[], memory: ObjectMemory, now: number): number | undefined {
  let requeueAfterMs: number | undefined;
  for (const { step, outcome, at } of results) {
    if (outcome.kind === 'success') {
      const asked = requeueRequest(outcome.result);
      if (asked !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, asked);
      continue;
    }
    if (outcome.kind === 'failure' && outcome.ignored) continue;
    const delay =
      outcome.kind === 'retry'
        ? outcome.delaySeconds
        : retryDelaySeconds(memory.failures.get(slotOf(step))?.retries ?? 1, step.handler.options.backoff);
    return at + delay * 1000;
  }
  return requeueAfterMs === undefined ? undefined : now + requeueAfterMs;
}

function requeueRequest(result: unknown): number | undefined {
  if (result && typeof result === 'object' && 'requeueAfterSeconds' in result) {
    const seconds = (result as { requeueAfterSeconds: unknown }).requeueAfterSeconds;
    if (typeof seconds === 'number' && seconds >= 0) return seconds * 1000;
  }
  return undefined;
}
