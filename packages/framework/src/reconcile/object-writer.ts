// The one way the engine writes to the object it handles (the committer decides what, this
// writes it), for every handler kind:
// - each write carries the resourceVersion of the state it was planned from, so a stale or
//   deposed writer gets 409 instead of overwriting newer status or bookkeeping, and merged
//   conditions never clobber another manager's;
// - status goes first, the metadata that records a change as handled second: a crash in
//   between leaves the change unrecorded and its handler runs again (handlers are idempotent),
//   never "handled" without the status; without a status subresource both go in one request;
// - a 409 is retried on a fresh read only when nobody touched what this write sets (the same
//   status fields and condition types, the same labels and annotations) since the state it was
//   planned from: a concurrent spec or label edit does not cost a handler run, but a competing
//   writer's status or record is never overwritten;
// - nothing is written that would not change anything (status compared as merged);
// - every written object is reported through `onWritten`, so the next run starts from it even
//   while the watch still delivers older states.
// Fails with the client's errors (see write-errors.ts for what each means); never retries.
import type { KubeClient } from '../kube/client.js';
import { isApiError } from '../kube/errors.js';
import type { KubeObject } from '../kube/object.js';
import type { ResourceRef } from '../kube/resource.js';
import { mergeConditions, type Condition } from './conditions.js';
import type { PendingPatch } from './context.js';
import { canonicalJson } from './essence.js';

export interface WriteOptions {
  /** The run handled the object's current generation: write status.observedGeneration. */
  observed?: boolean;
}

export class ObjectWriter {
  constructor(
    private readonly resource: ResourceRef,
    private readonly statusSubresource: boolean,
    private readonly client: KubeClient,
    private readonly onWritten: (object: KubeObject) => void,
  ) {}

  /** Writes what `patch` holds onto `object` and empties it; returns the object as written. */
  async write(object: KubeObject, patch: PendingPatch, options: WriteOptions = {}): Promise<KubeObject> {
    const wanted: PendingPatch = {
      status: patch.status,
      conditions: patch.conditions,
      metadata: patch.metadata,
    };
    patch.status = {};
    patch.conditions = [];
    patch.metadata = { labels: {}, annotations: {} };
    const generation = object.metadata.generation;
    // Each is asked for several times about the same target (whether to write, then what).
    const status = lastOf((target: KubeObject) =>
      this.statusChange(target, wanted, options.observed ? generation : undefined),
    );
    const metadata = lastOf((target: KubeObject) => metadataChange(target, wanted));
    if (!status(object) && !metadata(object)) return object;
    if (!this.statusSubresource) {
      return this.retrying(object, wanted, (target) => {
        const s = status(target);
        return this.patch(target, { ...(s ? { status: s } : {}) }, metadata(target));
      });
    }
    let current = object;
    if (status(current))
      current = await this.retrying(current, wanted, (target) =>
        this.patch(target, { status: status(target) ?? {} }, undefined, 'status'),
      );
    if (metadata(current))
      current = await this.retrying(current, wanted, (target) => this.patch(target, {}, metadata(target)));
    return current;
  }

  /** Runs `write` on `base`; on 409, again on a fresh read if nobody touched what it sets. */
  private async retrying(
    base: KubeObject,
    wanted: PendingPatch,
    write: (target: KubeObject) => Promise<KubeObject>,
  ): Promise<KubeObject> {
    let target = base;
    for (let attempt = 0; ; attempt++) {
      try {
        return await write(target);
      } catch (error) {
        if (!isApiError(error, 409) || attempt >= 3) throw error;
        const fresh = await this.client.get<KubeObject>(
          this.resource,
          base.metadata.namespace,
          base.metadata.name ?? '',
        );
        if (fresh.metadata.uid !== base.metadata.uid || !untouched(base, fresh, wanted)) throw error;
        target = fresh;
      }
    }
  }

  /** Sets the object's finalizers (only ours changes); conditional on the object's version. */
  setFinalizers(object: KubeObject, finalizers: string[]): Promise<KubeObject> {
    return this.patch(object, {}, { finalizers });
  }

  private async patch(
    object: KubeObject,
    body: Record<string, unknown>,
    metadata: Record<string, unknown> | undefined,
    subresource?: 'status',
  ): Promise<KubeObject> {
    const written = await this.client.mergePatch<KubeObject>(
      this.resource,
      object.metadata.namespace,
      object.metadata.name ?? '',
      { ...body, metadata: { ...metadata, resourceVersion: object.metadata.resourceVersion } },
      subresource,
    );
    this.onWritten(written);
    return written;
  }

  private statusChange(
    object: KubeObject,
    patch: PendingPatch,
    observedGeneration: number | undefined,
  ): Record<string, unknown> | undefined {
    // Kinds without a status of their own (ConfigMap, Secret) get none written.
    if (!this.statusSubresource && this.resource.group === '' && object.status === undefined)
      return undefined;
    const current = (object.status ?? {}) as Record<string, unknown> & { conditions?: Condition[] };
    const generation = object.metadata.generation;
    const next: Record<string, unknown> = { ...patch.status };
    if (patch.conditions.length > 0)
      next.conditions = mergeConditions(current.conditions, patch.conditions, generation);
    if (observedGeneration !== undefined) next.observedGeneration = observedGeneration;
    // Canonical: the apiserver sends objects back with sorted keys, ours are in build order.
    // Compared as merged: a field of an object or a null that changes nothing is no change.
    const changed = Object.entries(next).some(
      ([k, v]) => canonicalJson(current[k] ?? null) !== canonicalJson(mergePatched(current[k], v) ?? null),
    );
    return changed ? next : undefined;
  }
}

/** `target` with the JSON merge patch `patch` applied (RFC 7386); undefined for a removed value. */
export function mergePatched(target: unknown, patch: unknown): unknown {
  if (patch === null) return undefined;
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    const merged = mergePatched(result[key], value);
    if (merged === undefined) delete result[key];
    else result[key] = merged;
  }
  return result;
}

/** `compute`, remembering its result for the last argument. */
function lastOf<T>(compute: (target: KubeObject) => T): (target: KubeObject) => T {
  let last: { target: KubeObject; value: T } | undefined;
  return (target) => {
    if (last?.target !== target) last = { target, value: compute(target) };
    return last.value;
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function metadataChange(object: KubeObject, patch: PendingPatch): Record<string, unknown> | undefined {
  const differs = (current: Record<string, string> | undefined, wanted: Record<string, string | null>) =>
    Object.entries(wanted).some(([k, v]) => (current?.[k] ?? null) !== v);
  const labels = differs(object.metadata.labels, patch.metadata.labels) ? patch.metadata.labels : undefined;
  const annotations = differs(object.metadata.annotations, patch.metadata.annotations)
    ? patch.metadata.annotations
    : undefined;
  if (!labels && !annotations) return undefined;
  return { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) };
}

/** Nobody changed, between `base` and `fresh`, any of the status fields, condition types, labels or annotations `wanted` sets. */
export function untouched(base: KubeObject, fresh: KubeObject, wanted: PendingPatch): boolean {
  const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
  const [was, is] = [
    (base.status ?? {}) as Record<string, unknown>,
    (fresh.status ?? {}) as Record<string, unknown>,
  ];
  const condition = (status: Record<string, unknown>, type: string) =>
    (status.conditions as Condition[] | undefined)?.find((c) => c.type === type);
  return (
    Object.keys(wanted.status).every((k) => same(was[k], is[k])) &&
    same(was.observedGeneration, is.observedGeneration) &&
    wanted.conditions.every((c) => same(condition(was, c.type), condition(is, c.type))) &&
    Object.keys(wanted.metadata.labels).every(
      (k) => base.metadata.labels?.[k] === fresh.metadata.labels?.[k],
    ) &&
    Object.keys(wanted.metadata.annotations).every(
      (k) => base.metadata.annotations?.[k] === fresh.metadata.annotations?.[k],
    )
  );
}
