// Calls related-object handlers (@OnSecretChange, ...) whose referenced objects changed since
// they were last handled. Hashes of the referenced content are kept on the object, never the
// content; the reference index is rebuilt from `refs` on every run, so it follows spec edits.
import type { RelatedKind, RelatedOptions } from '../decorators/options.js';
import type { KubeObject } from '../kube/object.js';
import { diff } from '../reconcile/diff.js';
import type { ExtensionResult, ExtensionRun, ProcessingExtension } from '../reconcile/extension.js';
import { readJsonAnnotation } from '../reconcile/extension.js';
import { handlerApplies } from '../reconcile/filters.js';
import type { HandlerSpec } from '../registry.js';
import { realClock, type Clock } from '../time/clock.js';
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
  /** Per object and handler: failed attempts in a row at the current change (its ctx.retry). */
  private readonly failures = new Map<string, number>();

  constructor(
    handlers: HandlerSpec[],
    private readonly related: RelatedLookup,
    private readonly annotationKey: string,
    private readonly clock: Clock = realClock,
  ) {
    this.handlers = handlers.filter((h) => h.kind === 'related' && h.related);
  }

  async run(run: ExtensionRun): Promise<ExtensionResult> {
    if (this.handlers.length === 0) return {};
    const { object, key } = run;
    const stored = readJsonAnnotation<Record<string, Hashes>>(object, this.annotationKey) ?? {};
    const next: Record<string, Hashes> = {};
    const namespace = object.metadata.namespace;
    let wakeAt: number | undefined;
    for (const handler of this.handlers) {
      const kind = handler.related as RelatedKind;
      const refs = handlerApplies(handler.options, object)
        ? (handler.options as unknown as RelatedOptions).refs(object.spec as never, object)
        : [];
      const names = [...new Set(refs)].filter((n): n is string => typeof n === 'string' && n.length > 0);
      const slot = `${key}#${handler.id}`;
      const index = this.related.index(kind);
      const earlier = index.refsOf(slot);
      const now = names.map((n) => (namespace ? `${namespace}/${n}` : n));
      index.update(slot, now);
      // A `previous` is kept until its referrers ran on the change: no longer referenced, or
      // run (unless to be retried: the retry gets the same `old`), it may go.
      const settle = (refs: string[]) => refs.forEach((ref) => this.related.settle(kind, ref, slot));
      settle(earlier.filter((ref) => !now.includes(ref)));
      const hashes: Hashes = Object.fromEntries(
        names.map((n) => [n, contentHash(this.related.lookup(kind, namespace, n))]),
      );
      const before = stored[handler.id];
      next[handler.id] = hashes;
      // A name newly referenced is a spec change (the update handlers' business), not a change of it.
      const changed = before ? names.filter((n) => before[n] !== undefined && hashes[n] !== before[n]) : [];
      if (!before || changed.length === 0) {
        settle(now); // first sight (nothing to compare with yet), or nothing changed
        continue;
      }
      const pick = (f: (n: string) => unknown) => Object.fromEntries(changed.map((n) => [n, f(n)]));
      const outcome = await run.invoke(
        handler,
        'related',
        {
          old: pick((n) => this.related.previous(kind, namespace, n)),
          new: pick((n) => this.related.lookup(kind, namespace, n)),
          diff: diff(
            pick((n) => before[n]),
            pick((n) => hashes[n]),
          ),
        },
        this.failures.get(`${key}#${handler.id}`) ?? 0,
        run.patch,
      );
      if (outcome.kind !== 'retry') settle(now);
      if (outcome.kind === 'retry') {
        next[handler.id] = before; // keep the old hashes: the change is still to be handled
        this.failures.set(slot, (this.failures.get(slot) ?? 0) + 1);
        wakeAt = Math.min(wakeAt ?? Infinity, this.clock.now() + outcome.delaySeconds * 1000);
      } else this.failures.delete(slot); // done with this change, or given up on it
    }
    // Recorded by the run's final commit, after the handlers' status.
    if (JSON.stringify(next) !== JSON.stringify(stored))
      run.patch.metadata.annotations[this.annotationKey] = JSON.stringify(next);
    return { wakeAt };
  }

  release(key: string): void {
    for (const slot of this.failures.keys()) if (slot.startsWith(`${key}#`)) this.failures.delete(slot);
    for (const handler of this.handlers) {
      const kind = handler.related as RelatedKind;
      const slot = `${key}#${handler.id}`;
      for (const ref of this.related.index(kind).refsOf(slot)) this.related.settle(kind, ref, slot);
      this.related.index(kind).remove(slot);
    }
  }
}
