// The seam between the per-object engine and the handler kinds that live above it (timers,
// daemons, related objects): the engine calls each extension during a run, and an extension
// uses the engine's own ways to run a handler and to write, so retries, Events, metrics and
// write semantics (preconditions, status before bookkeeping) are the same for every kind.
import type { KubeObject } from '../kube/object.js';
import type { HandlerSpec } from '../registry.js';
import type { Cause, PendingPatch } from './context.js';
import type { Diff } from './diff.js';
import type { Outcome } from './executor.js';

export interface Change {
  old: unknown;
  new: unknown;
  diff: Diff;
}

export interface ExtensionRun {
  key: string;
  object: KubeObject;
  /** The run's pending status/metadata patch (committed once, at the end of the run's handlers);
   *  an extension's bookkeeping annotations go here too, so they are written after the status. */
  patch: PendingPatch;
  firstSeenAt: number;
  /** When the object's essence last changed, as this process saw it. */
  changedAt: number;
  invoke(
    handler: HandlerSpec,
    cause: Cause,
    change: Change,
    retry: number,
    patch?: PendingPatch,
  ): Promise<Outcome>;
  /** Commits a handler's own patch (status, conditions, metadata) now, status first. */
  commit(object: KubeObject, patch: PendingPatch): Promise<KubeObject>;
}

export interface ExtensionResult {
  /** The object after the extension's own writes. */
  object?: KubeObject;
  /** When this object needs another run (absolute ms). */
  wakeAt?: number;
}

export interface ProcessingExtension {
  /** 'before-reconcile' extensions may change what @Reconcile sees; 'after-reconcile' run last. */
  readonly phase: 'before-reconcile' | 'after-reconcile';
  /** The object must keep a finalizer so the extension learns of its deletion in time. */
  readonly needsFinalizer?: boolean;
  run(run: ExtensionRun): Promise<ExtensionResult>;
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
