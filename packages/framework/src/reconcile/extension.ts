// The seam between the per-object engine and the handler kinds that live above it (timers,
// daemons, related objects). An extension writes nothing and calls no handler itself: in the
// planner's visit it says which of its handlers are due (steps), the runner runs them with
// every other step through the one invoke(), and in the committer's visit it turns their
// outcomes into bookkeeping (annotations) and a wake-up time, written with the run's one
// commit. So retries, conditions, Events, metrics and write semantics (preconditions, status
// before bookkeeping) are the same for every handler kind.
import type { KubeObject } from '../kube/object.js';
import type { Outcome } from './executor.js';
import type { HandlerFailure } from './memory.js';
import type { PlannedStep } from './planner.js';

export interface ExtensionInput {
  key: string;
  object: KubeObject;
  now: number;
  firstSeenAt: number;
  /** When the object's essence last changed, as this process saw it. */
  changedAt: number;
  /** This object's handlers whose last attempt failed, by step slot. */
  failures: ReadonlyMap<string, HandlerFailure>;
}

export interface StepResult {
  step: PlannedStep;
  outcome: Outcome;
  /** When the attempt ended (the engine's clock): a retry is due from here. */
  at: number;
}

export interface Settlement {
  /** Annotations to write with the run's commit (after its status). */
  annotations?: Record<string, string>;
  /** When this object needs another run for this extension (absolute ms). */
  wakeAt?: number;
}

export interface ExtensionPlan {
  /** Handlers due now, run in this order. */
  steps: PlannedStep[];
  /** Long-running handlers to start (daemons); each calls its handler through invoke() itself. */
  launches?: (() => void)[];
  /** From the outcomes of `steps` (all of them, or fewer if the run stopped): what to record. */
  settle(results: StepResult[]): Settlement;
}

export interface ProcessingExtension {
  /** 'before-reconcile' steps run before @Reconcile (their patch is what it sees); 'after-reconcile' after it. */
  readonly phase: 'before-reconcile' | 'after-reconcile';
  /** The object must keep a finalizer so the extension learns of its deletion in time. */
  readonly needsFinalizer?: boolean;
  plan(input: ExtensionInput): ExtensionPlan;
  /** The object is being deleted (or is gone): stop what runs for it, drop what is kept about it. */
  release?(key: string): Promise<void> | void;
}

export function readJsonAnnotation<T>(object: KubeObject, key: string): T | undefined {
  const raw = object.metadata.annotations?.[key];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}
