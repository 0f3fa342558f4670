// Options shared by every handler decorator, and the shapes recorded as metadata.
import type { CrdSchema } from '../generate/crd.js';
import type { KubeObject } from '../kube/object.js';

/** Matches a label/annotation that is set to anything. */
export const PRESENT = Symbol('PRESENT');
/** Matches a label/annotation that is not set. */
export const ABSENT = Symbol('ABSENT');

export type ValueFilter = string | typeof PRESENT | typeof ABSENT | ((value: string | undefined) => boolean);

export interface BackoffOptions {
  /** First retry delay; default 1 s. */
  initialSeconds?: number;
  /** Growth per attempt; default 2. */
  factor?: number;
  /** Upper bound of a delay; default 300 s. */
  maxSeconds?: number;
}

/** What an error that is neither TemporaryError nor PermanentError means. */
export type ErrorPolicy = 'temporary' | 'permanent' | 'ignored';

export interface HandlerOptions<T extends KubeObject = KubeObject> {
  /** Stable id used for progress storage and Events; defaults to the method name. */
  id?: string;
  labels?: Record<string, ValueFilter>;
  annotations?: Record<string, ValueFilter>;
  when?: (object: T) => boolean;
  /** How many times a failed handler is retried; unlimited by default. */
  retries?: number;
  backoff?: BackoffOptions;
  timeoutSeconds?: number;
  errors?: ErrorPolicy;
}

export type HandlerKind =
  | 'create'
  | 'update'
  | 'delete'
  | 'resume'
  | 'field'
  | 'event'
  | 'reconcile'
  | 'timer'
  | 'daemon'
  | 'related'
  | 'startup'
  | 'cleanup';

export interface TimerOptions<T extends KubeObject = KubeObject> extends HandlerOptions<T> {
  intervalSeconds: number;
  /** Delay of the first run after the object appears; default: the interval. */
  initialDelaySeconds?: number;
  /** Run only when the object's essence has not changed for this long. */
  idleSeconds?: number;
  /** Align runs to whole intervals since the object's creation instead of since the last run. */
  sharp?: boolean;
}

export interface DaemonOptions<T extends KubeObject = KubeObject> extends HandlerOptions<T> {
  initialDelaySeconds?: number;
}

/** A kind whose objects other objects reference by name (Secret, ConfigMap, ...). */
export interface RelatedKind {
  apiVersion: string;
  kind: string;
  plural?: string;
}

export interface RelatedOptions<T extends KubeObject = KubeObject> extends HandlerOptions<T> {
  /** Names (in the object's namespace) this object references; undefined/empty entries are ignored. */
  refs: (spec: never, body: T) => readonly (string | undefined | null)[];
}

export interface OwnsOptions {
  apiVersion: string;
  kind: string;
  plural?: string;
  /** The kind may not be served (e.g. OpenShift Routes elsewhere): then it is simply not watched. */
  optional?: boolean;
}

/** One of this controller's objects, by name: what a @Watches mapping returns. */
export interface ObjectRef {
  namespace?: string | undefined;
  name: string;
}

export interface WatchesOptions<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  plural?: string;
  /**
   * Which of this controller's objects a change of `object` (created, changed or deleted) wakes.
   * `object` is its metadata only (apiVersion, kind, metadata): watched kinds are cached
   * without their content. `ours` are the controller's cached objects in the same namespace
   * (all of them for a cluster-scoped kind). Return objects of `ours` or names.
   */
  map: (object: KubeObject, ours: readonly T[]) => readonly (T | ObjectRef)[];
  /** The kind may not be served: then it is simply not watched. */
  optional?: boolean;
}

export interface HandlerMetadata {
  kind: HandlerKind;
  method: string;
  options: HandlerOptions;
  /** For 'field' handlers: the dotted path watched, e.g. 'spec.replicas'. */
  field?: string;
  /** For 'related' handlers: the kind referenced. */
  related?: RelatedKind;
}

export interface ControllerOptions {
  group: string;
  version: string;
  kind: string;
  plural: string;
  /** Default true. */
  namespaced?: boolean;
  /** Write status through the /status subresource (default true; the CRD must enable it). */
  statusSubresource?: boolean;
  /** The kind's schema, for `fedora-operator generate crds`; absent for kinds defined elsewhere. */
  crd?: CrdSchema;
}

/** A Kubernetes RBAC rule, as in a ClusterRole. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
