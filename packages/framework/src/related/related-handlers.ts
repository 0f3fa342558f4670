// Plans the related-object handlers (@OnSecretChange, ...) whose referenced objects changed
// since they were last handled, and settles their outcomes into the hashes stored on the
// object (a change to be retried keeps the old hashes, so it stays a change). Hashes of the
// referenced content are kept on the object, never the content; the reference index is
// rebuilt from `refs` on every run, so it follows spec edits.
import type { RelatedKind, RelatedOptions } from '../decorators/options.js';
import type { KubeObject } from '../kube/object.js';
import { diff } from '../reconcile/diff.js';
import type { ExtensionInput, ExtensionPlan, ProcessingExtension } from '../reconcile/extension.js';
import { readJsonAnnotation } from '../reconcile/extension.js';
import { handlerApplies } from '../reconcile/filters.js';
import type { PlannedStep } from '../reconcile/planner.js';
import type { HandlerSpec } from '../registry.js';
import { contentHash } from './content-hash.js';
import type { ReferenceIndex } from './reference-index.js';

/** Access to the caches of referenced kinds (Secrets, ConfigMaps, ...). */
export interface RelatedLookup {
  lookup(kind: RelatedKind, namespace: string | undefined, name: string): KubeObject | undefined;
  /** The state before a change `slot` has not run on yet, when this process saw it. */
  previous(kind: RelatedKind, namespace: string | undefined, name: string): KubeObject | undefined;
  /** `slot` has run on the newest change of the referenced object (its `previous` may go). */
  settle(kind: RelatedKind, ref: string, slot: string): void;
  index(kind: RelatedKind): ReferenceIndex;
}

type Hashes = Record<string, string>;

export class RelatedHandlers implements ProcessingExtension {
  readonly phase = 'before-reconcile';
  private readonly handlers: HandlerSpec[];

  constructor(
    handlers: HandlerSpec[],
    private readonly related: RelatedLookup,
    private readonly annotationKey: string,
  ) {
    this.handlers = handlers.filter((h) => h.kind === 'related' && h.related);
  }

  plan({ key, object, now, failures }: ExtensionInput): ExtensionPlan {
    if (this.handlers.length === 0) return { steps: [], settle: () => ({}) };
    const stored = readJsonAnnotation<Record<string, Hashes>>(object, this.annotationKey) ?? {};
    const namespace = object.metadata.namespace;
    let retryAt = Infinity; // a change waiting for its retry's time (not run now)
    const seen: {
      handler: HandlerSpec;
      names: string[];
      hashes: Hashes;
      waiting: boolean;
      step?: PlannedStep;
    }[] = [];
    for (const handler of this.handlers) {
      const kind = handler.related as RelatedKind;
      const refs = handlerApplies(handler.options, object)
        ? (handler.options as unknown as RelatedOptions).refs(object.spec as never, object)
        : [];
      const names = [...new Set(refs)].filter((n): n is string => typeof n === 'string' && n.length > 0);
      const hashes: Hashes = Object.fromEntries(
        names.map((n) => [n, contentHash(this.related.lookup(kind, namespace, n))]),
      );
      const before = stored[handler.id];
      // First sight: nothing to compare with yet. A name newly referenced is a spec change
      // (the update handlers' business), not a change of it.
      const changed = before ? names.filter((n) => before[n] !== undefined && hashes[n] !== before[n]) : [];
      const failure = failures.get(`related/${handler.id}`);
      const waiting = failure && !failure.stalled && (failure.retryAt ?? 0) > now;
      if (waiting && changed.length > 0) retryAt = Math.min(retryAt, failure.retryAt ?? Infinity);
      const pick = (f: (n: string) => unknown) => Object.fromEntries(changed.map((n) => [n, f(n)]));
      const step: PlannedStep | undefined =
        changed.length === 0 || waiting
          ? undefined
          : {
              cause: 'related',
              handler,
              old: pick((n) => this.related.previous(kind, namespace, n)),
              new: pick((n) => this.related.lookup(kind, namespace, n)),
              diff: diff(
                pick((n) => before?.[n]),
                pick((n) => hashes[n]),
              ),
              retry: failure && !failure.stalled ? failure.retries : 0,
            };
      seen.push({
        handler,
        names,
        hashes,
        waiting: Boolean(waiting && changed.length > 0),
        ...(step ? { step } : {}),
      });
    }
    return {
      steps: seen.flatMap((s) => (s.step ? [s.step] : [])),
      settle: (results) => {
        const next: Record<string, Hashes> = {};
        for (const { handler, names, hashes, waiting, step } of seen) {
          const kind = handler.related as RelatedKind;
          const slot = `${key}#${handler.id}`;
          const index = this.related.index(kind);
          const earlier = index.refsOf(slot);
          const refs = names.map((n) => (namespace ? `${namespace}/${n}` : n));
          index.update(slot, refs);
          // A `previous` is kept until its referrers ran on the change: no longer referenced,
          // or run (unless to be retried: the retry gets the same `old`), it may go.
          const settleRefs = (list: string[]) => list.forEach((ref) => this.related.settle(kind, ref, slot));
          settleRefs(earlier.filter((ref) => !refs.includes(ref)));
          const outcome = results.find((r) => r.step === step)?.outcome;
          const before = stored[handler.id] ?? hashes;
          // A change not handled yet (retried later, or not run) keeps the old hashes, so it
          // is still seen as a change; a success, or giving up on it, takes the new ones.
          const handled = !step ? !waiting : outcome !== undefined && outcome.kind !== 'retry';
          next[handler.id] = handled ? hashes : before;
          if (handled) settleRefs(refs);
        }
        // Recorded by the run's commit, after the handlers' status.
        return JSON.stringify(next) === JSON.stringify(stored)
          ? { wakeAt: retryAt }
          : { wakeAt: retryAt, annotations: { [this.annotationKey]: JSON.stringify(next) } };
      },
    };
  }

  release(key: string): void {
    for (const handler of this.handlers) {
      const kind = handler.related as RelatedKind;
      const slot = `${key}#${handler.id}`;
      for (const ref of this.related.index(kind).refsOf(slot)) this.related.settle(kind, ref, slot);
      this.related.index(kind).remove(slot);
    }
  }
}
