// The planner: from an object, what is stored on it and the controller's handlers, the
// change steps of this run, in the order they run. Pure (no I/O, no clock), so every rule
// is tested without a cluster; the runner runs the steps, the committer writes the outcome.
import type { KubeObject } from '../kube/object.js';
import type { HandlerSpec } from '../registry.js';
import { detectCauses } from './causes.js';
import type { Cause } from './context.js';
import { diff, valueAt, type Diff } from './diff.js';
import type { DiffBase } from './diff-base.js';
import { essenceOf, hashOf, type Essence } from './essence.js';
import { handlerApplies } from './filters.js';

export type Step = { cause: Cause; handler: HandlerSpec; old: unknown; new: unknown; diff: Diff };

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
    essenceChanged: base !== undefined && base.hash !== hashOf(essence),
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
