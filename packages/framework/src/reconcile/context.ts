// What a handler receives: the object and its parts, the change (old/new/diff), the retry
// count, a logger bound to the object and handler, the operator's clock (so a handler that
// computes ages or deadlines follows a test's ManualClock), and ways to act: `patch` (merged
// into the object's status/metadata when the run ends), `condition()`, `apply()` (server-side
// apply of a child owned by this object) and the raw client.
import type { KubeClient } from '../kube/client.js';
import type { KubeObject, ObjectMeta, OwnerReference } from '../kube/object.js';
import type { ResourceRef } from '../kube/resource.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../time/clock.js';
import type { ConditionUpdate } from './conditions.js';
import type { Diff } from './diff.js';

export type Cause =
  | 'create'
  | 'update'
  | 'delete'
  | 'resume'
  | 'field'
  | 'event'
  | 'reconcile'
  | 'timer'
  | 'daemon'
  | 'related';

export interface PendingPatch {
  status: Record<string, unknown>;
  metadata: { labels: Record<string, string | null>; annotations: Record<string, string | null> };
  conditions: ConditionUpdate[];
}

export function emptyPatch(): PendingPatch {
  return { status: {}, metadata: { labels: {}, annotations: {} }, conditions: [] };
}

export interface HandlerContext<Spec = unknown, Status = unknown> {
  body: KubeObject<Spec, Status>;
  spec: Spec;
  status: Status | undefined;
  meta: ObjectMeta;
  name: string;
  namespace: string | undefined;
  cause: Cause;
  /** Essence (everything but metadata/status) last handled, and now; for create, old is undefined. */
  old: unknown;
  new: unknown;
  diff: Diff;
  /** 0 on the first attempt of this handler for this change. */
  retry: number;
  logger: Logger;
  /** Aborted when the handler's timeout passes or the operator shuts down. */
  signal: AbortSignal;
  patch: PendingPatch;
  client: KubeClient;
  /** The operator's clock (OperatorOptions.clock): read `clock.now()`, not Date.now(), for ages and deadlines. */
  clock: Clock;
  /** Sets a status condition at the end of the run (e.g. Ready, when the controller manages it). */
  condition(update: ConditionUpdate): void;
  /** Server-side applies a child object owned by this one (field manager = the operator's name). */
  apply<T extends KubeObject>(resource: ResourceRef, child: T, options?: { force?: boolean }): Promise<T>;
}

export interface ContextInput {
  object: KubeObject;
  resource: ResourceRef;
  cause: Cause;
  old: unknown;
  new: unknown;
  diff: Diff;
  retry: number;
  logger: Logger;
  signal: AbortSignal;
  patch: PendingPatch;
  client: KubeClient;
  clock: Clock;
  fieldManager: string;
}

export function ownerReferenceTo(resource: ResourceRef, object: KubeObject): OwnerReference {
  return {
    apiVersion: resource.group ? `${resource.group}/${resource.version}` : resource.version,
    kind: resource.kind,
    name: object.metadata.name ?? '',
    uid: object.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function createContext<Spec, Status>(input: ContextInput): HandlerContext<Spec, Status> {
  const object = input.object as KubeObject<Spec, Status>;
  return {
    body: object,
    spec: object.spec as Spec,
    status: object.status,
    meta: object.metadata,
    name: object.metadata.name ?? '',
    namespace: object.metadata.namespace,
    cause: input.cause,
    old: input.old,
    new: input.new,
    diff: input.diff,
    retry: input.retry,
    logger: input.logger,
    signal: input.signal,
    patch: input.patch,
    client: input.client,
    clock: input.clock,
    condition: (update) => {
      input.patch.conditions.push(update);
    },
    apply: (resource, child, options) => {
      const owned = {
        ...child,
        metadata: {
          ...child.metadata,
          namespace: child.metadata.namespace ?? object.metadata.namespace,
          ownerReferences: [
            ...(child.metadata.ownerReferences ?? []),
            ownerReferenceTo(input.resource, object),
          ],
        },
      };
      return input.client.apply(resource, owned, {
        fieldManager: input.fieldManager,
        force: options?.force ?? true,
      });
    },
  };
}
