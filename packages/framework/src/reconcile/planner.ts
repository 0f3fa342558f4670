// The planner, the first of a run's three visits (planner, runner, committer): from an object,
// what is stored on it (diff-base, progress; see state-store.ts), what this process remembers
// of it and the controller's handlers, the steps of this run in the order they run: change (or
// delete) handlers, related handlers, @Reconcile, timers, daemons to start. It reads and writes
// nothing (the time is an input), so every rule is tested without a cluster; the runner runs
// the steps, the committer writes the outcome.
// Fails only with what a handler's own `refs` function throws (related handlers).
import type { KubeObject } from '../kube/object.js';
import type { ControllerSpec, HandlerSpec } from '../registry.js';
import { detectCauses } from './causes.js';
import type { Cause } from './context.js';
import { diff, valueAt, type Diff } from './diff.js';
import { decodeDiffBase, type DiffBase } from './diff-base.js';
import { essenceHashOf, essenceOf, hashOf, type Essence } from './essence.js';
import type { ExtensionPlan, ProcessingExtension } from './extension.js';
import { handlerApplies } from './filters.js';
import type { ObjectMemory, WakeReason } from './memory.js';
import { decodeProgress, type ProgressRecord, type StorageKeys } from './progress.js';
import type { StateStore } from './state-store.js';

export type Step = { cause: Cause; handler: HandlerSpec; old: unknown; new: unknown; diff: Diff };

/** A step of a run: what to call, and its attempt number (ctx.retry). */
export type PlannedStep = Step & { retry: number };

/** Placeholder step for a change no handler matches: it is still recorded as handled. */
export const NOOP: HandlerSpec = { id: '', kind: 'update', qualifiedName: '', method: '', options: {} };

/** Where a step's progress is kept in the progress record. */
export function slotOf(step: Step): string {
  return `${step.cause}/${step.handler.id}`;
}

export interface ChangeInput {
  object: KubeObject;
  /** The diff-base stored on the object; undefined if it was never handled. */
  base: DiffBase | undefined;
  handlers: HandlerSpec[];
  /** This process has not yet resumed this (already handled) object. */
  resumePending: boolean;
}

export function planChange({ object, base, handlers, resumePending }: ChangeInput): Step[] {
  const essence = essenceOf(object);
  const causes = detectCauses({
    deleting: false,
    hasFinalizer: true,
    handledBefore: base !== undefined,
    essenceChanged: base !== undefined && base.hash !== essenceHashOf(object),
    resumePending,
  });
  // With only a hash stored, update and field handlers get no old values.
  const old: Essence | undefined = base?.essence;
  const changes = diff(old, essence);
  const steps: Step[] = [];
  for (const cause of causes) {
    for (const handler of handlers) {
      if (!handlerApplies(handler.options, object)) continue;
      if (handler.kind === cause) steps.push({ cause, handler, old, new: essence, diff: changes });
      if (handler.kind === 'field' && cause !== 'resume' && handler.field) {
        const [oldValue, newValue] = [valueAt(old, handler.field), valueAt(essence, handler.field)];
        const fieldDiff = diff(oldValue, newValue);
        if (fieldDiff.length > 0)
          steps.push({ cause: 'field', handler, old: oldValue, new: newValue, diff: fieldDiff });
      }
    }
  }
  if (causes.length > 0 && steps.length === 0) {
    steps.push({ cause: causes[0] as Cause, handler: NOOP, old, new: essence, diff: changes });
  }
  return steps;
}

/** The delete steps, or undefined when the object is not ours to finalise (no finalizer of ours). */
export function planDeletion(
  object: KubeObject,
  hasFinalizer: boolean,
  handlers: HandlerSpec[],
): Step[] | undefined {
  const causes = detectCauses({
    deleting: true,
    hasFinalizer,
    handledBefore: true,
    essenceChanged: false,
    resumePending: false,
  });
  if (causes.length === 0) return undefined;
  return handlers
    .filter((h) => h.kind === 'delete' && handlerApplies(h.options, object))
    .map((handler) => ({ cause: 'delete' as const, handler, old: undefined, new: undefined, diff: [] }));
}

/** The change (or deletion) handlers of a run. */
export interface ChangePlan {
  /** Their progress so far (retries, outcomes), stored on the object. */
  progress: ProgressRecord;
  /** The handler to run now (at most one: its outcome is committed before the next runs, so a
   *  restart never repeats one that succeeded). */
  steps: PlannedStep[];
  /** Handlers of this change still to run after `steps`, in later runs. */
  remaining: number;
  /** The next handler may not run yet (`waitMs`, its retry delay) or failed for good: nothing runs. */
  blocked?: { waitMs?: number };
  /** There is a change to handle (its handlers may all be done already): record it once they are. */
  pending: boolean;
  /**
   * No change is due, yet a change's progress is still on the object: the spec went back to the
   * one last handled (say, a failed update undone), so that change is abandoned.
   */
  abandoned?: boolean;
}

export type RunPlan =
  /** Nothing changed and nothing is due (or a failed write backs off): the planned wake-up stays. */
  | { kind: 'wait' }
  /** Our finalizer goes on first, so a deletion during the handlers still runs the delete handlers. */
  | { kind: 'adopt' }
  | {
      kind: 'handle';
      wake: WakeReason;
      change: ChangePlan;
      /** @Reconcile handlers: run only once the change is handled; stop at the first failure. */
      reconcile: PlannedStep[];
      /** Related handlers, timers, daemons. */
      extensions: { phase: ProcessingExtension['phase']; plan: ExtensionPlan }[];
    }
  /** Being deleted: stop the extensions' work; `change` is undefined when the object is not ours to finalise. */
  | { kind: 'finalize'; change: ChangePlan | undefined };

/** A plan that runs (everything but 'wait'). */
export type ActivePlan = Exclude<RunPlan, { kind: 'wait' }>;

export interface RunInput {
  key: string;
  object: KubeObject;
  memory: Readonly<ObjectMemory>;
  /** The run was asked for by something other than the object's own change. */
  woken: Exclude<WakeReason, 'change' | 'scheduled'> | undefined;
  now: number;
}

export class Planner {
  readonly needsFinalizer: boolean;

  constructor(
    private readonly spec: ControllerSpec,
    private readonly keys: StorageKeys,
    private readonly store: StateStore,
    private readonly extensions: ProcessingExtension[],
  ) {
    // Delete handlers need the object kept until they ran; daemons need to learn of the deletion.
    this.needsFinalizer =
      spec.handlers.some((h) => h.kind === 'delete') || extensions.some((e) => e.needsFinalizer);
  }

  plan({ key, object, memory, woken, now }: RunInput): RunPlan {
    const { handlers } = this.spec;
    const hasFinalizer = object.metadata.finalizers?.includes(this.keys.finalizer) ?? false;
    const essenceHash = essenceHashOf(object);
    if (object.metadata.deletionTimestamp) {
      const steps = planDeletion(object, hasFinalizer, handlers);
      return {
        kind: 'finalize',
        change: steps && planSteps(steps, decodeProgress(this.store.read(object, 'progress'), 'delete'), now),
      };
    }
    // A failed write backs off, even against the echo of the failure conditions; a change of
    // the object (say, the spec fix) is tried at once.
    if (
      memory.writeFailures > 0 &&
      memory.nextWakeAt !== undefined &&
      memory.nextWakeAt > now &&
      memory.failedEssenceHash === essenceHash
    )
      return { kind: 'wait' };
    if (this.needsFinalizer && !hasFinalizer) return { kind: 'adopt' };
    const steps = planChange({
      object,
      base: decodeDiffBase(this.store.read(object, 'diffBase')),
      handlers,
      resumePending: memory.resumePending,
    });
    // Status or bookkeeping writes (ours or anyone's) are not changes: nothing runs for them,
    // and the wake-up already planned (timers, retries) stays, unless it is what brought us here.
    const wakeUpDue = memory.nextWakeAt !== undefined && memory.nextWakeAt <= now;
    const unchanged = memory.levelFingerprint === levelFingerprint(object, this.keys);
    if (steps.length === 0 && unchanged && woken === undefined && !wakeUpDue) return { kind: 'wait' };
    // @Reconcile runs for a change, a wake-up meant for it, or its own requeue; not when only a
    // timer or a retry of something else is due.
    const reconcileDue =
      steps.length > 0 ||
      !unchanged ||
      woken !== undefined ||
      (memory.reconcileDueAt !== undefined && memory.reconcileDueAt <= now);
    const essence = essenceOf(object);
    const reconcile = reconcileDue
      ? handlers
          .filter((h) => h.kind === 'reconcile' && handlerApplies(h.options, object))
          .map((handler) => {
            const step: Step = { cause: 'reconcile', handler, old: undefined, new: essence, diff: [] };
            return { ...step, retry: memory.failures.get(slotOf(step))?.retries ?? 0 };
          })
      : [];
    const input = {
      key,
      object,
      now,
      firstSeenAt: memory.firstSeenAt,
      changedAt: memory.changedAt,
      failures: memory.failures,
    };
    const change = planSteps(steps, decodeProgress(this.store.read(object, 'progress'), essenceHash), now);
    if (steps.length === 0 && this.store.read(object, 'progress') !== undefined) change.abandoned = true;
    return {
      kind: 'handle',
      wake: woken ?? (steps.length > 0 || !unchanged ? 'change' : 'scheduled'),
      change,
      reconcile,
      extensions: this.extensions.map((e) => ({ phase: e.phase, plan: e.plan(input) })),
    };
  }
}

/**
 * Which of a change's steps runs now: the first not yet done, unless it waits for its retry
 * delay or failed for good (then none: they run in declared order). One per run, so each
 * handler's success is stored (with its status) before the next one starts.
 */
export function planSteps(steps: Step[], progress: ProgressRecord, now: number): ChangePlan {
  const pending = steps.filter((step) => step.handler !== NOOP && !progress.handlers[slotOf(step)]?.success);
  const [next] = pending;
  const base = { progress, pending: steps.length > 0, remaining: Math.max(0, pending.length - 1) };
  if (!next) return { ...base, steps: [] };
  const state = progress.handlers[slotOf(next)];
  if (state?.failure) return { ...base, steps: [], blocked: {} };
  const waitMs = state?.delayedUntil ? Date.parse(state.delayedUntil) - now : 0;
  if (waitMs > 0) return { ...base, steps: [], blocked: { waitMs } };
  return { ...base, steps: [{ ...next, retry: state?.retries ?? 0 }] };
}

/** What level-triggered handlers react to: the essence, labels, and annotations not ours. */
export function levelFingerprint(
  object: KubeObject,
  keys: StorageKeys,
  metadata: Pick<KubeObject['metadata'], 'labels' | 'annotations'> = object.metadata,
): string {
  const ours: string[] = Object.values(keys);
  const annotations = Object.entries(metadata.annotations ?? {}).filter(([k]) => !ours.includes(k));
  return hashOf([essenceHashOf(object), metadata.labels ?? {}, Object.fromEntries(annotations)]);
}
