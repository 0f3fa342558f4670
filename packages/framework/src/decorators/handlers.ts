// Handler decorators. Each only appends a record to the class's metadata; the registry
// reads and validates them (decorators on a method apply bottom-up, so records are
// appended in reverse per method and re-sorted by the registry into declaration order).
import 'reflect-metadata';
import { HANDLERS_METADATA } from './metadata-keys.js';
import type {
  DaemonOptions,
  HandlerKind,
  HandlerMetadata,
  HandlerOptions,
  RelatedKind,
  RelatedOptions,
  TimerOptions,
} from './options.js';
import type { KubeObject } from '../kube/object.js';

interface RecordedHandler extends HandlerMetadata {
  /** Declaration order of the method within the class, for a stable handler order. */
  order: number;
}

function record(
  kind: HandlerKind,
  options: HandlerOptions,
  field?: string,
  related?: RelatedKind,
): MethodDecorator {
  return (prototype, method) => {
    const ctor = prototype.constructor;
    const existing: RecordedHandler[] = Reflect.getOwnMetadata(HANDLERS_METADATA, ctor) ?? [];
    const methods = [...new Set(existing.map((h) => h.method))];
    const order = methods.includes(String(method)) ? methods.indexOf(String(method)) : methods.length;
    const entry: RecordedHandler = {
      kind,
      method: String(method),
      options,
      order,
      ...(field ? { field } : {}),
      ...(related ? { related } : {}),
    };
    Reflect.defineMetadata(HANDLERS_METADATA, [...existing, entry], ctor);
  };
}

type Options<T extends KubeObject> = HandlerOptions<T>;

/** Runs once when an object is first seen by the operator (no handled state on it yet). */
export const OnCreate = <T extends KubeObject = KubeObject>(options: Options<T> = {}) =>
  record('create', options as HandlerOptions);
/** Runs when the object's essence (everything but metadata and status) changed since it was last handled. */
export const OnUpdate = <T extends KubeObject = KubeObject>(options: Options<T> = {}) =>
  record('update', options as HandlerOptions);
/** Runs when the object is being deleted; a finalizer keeps it until every delete handler succeeded. */
export const OnDelete = <T extends KubeObject = KubeObject>(options: Options<T> = {}) =>
  record('delete', options as HandlerOptions);
/** Runs for objects that existed (and were handled) before this operator process started. */
export const OnResume = <T extends KubeObject = KubeObject>(options: Options<T> = {}) =>
  record('resume', options as HandlerOptions);
/** Runs when the value at a dotted path (e.g. 'spec.replicas') changed; gets old and new. */
export const OnField = <T extends KubeObject = KubeObject>(path: string, options: Options<T> = {}) =>
  record('field', options as HandlerOptions, path);
/** Runs for every raw watch event; no progress is kept and failures are only logged. */
export const OnEvent = <T extends KubeObject = KubeObject>(options: Options<T> = {}) =>
  record('event', options as HandlerOptions);
/** Level-triggered: runs on every change of the object and on every resync, like controller-runtime. */
export const Reconcile = <T extends KubeObject = KubeObject>(options: Options<T> = {}) =>
  record('reconcile', options as HandlerOptions);
/** Runs every intervalSeconds for each object; its last run is stored on the object, so restarts keep the rhythm. */
export const Timer = <T extends KubeObject = KubeObject>(options: TimerOptions<T>) =>
  record('timer', options as unknown as HandlerOptions);
/** A long-running task per object; `ctx.signal` aborts it on deletion or shutdown; restarted with backoff if it throws. */
export const Daemon = <T extends KubeObject = KubeObject>(options: DaemonOptions<T> = {}) =>
  record('daemon', options as HandlerOptions);
/** Runs when an object this one references by name (see `refs`) changes, appears or disappears. */
export const OnRelatedChange = <T extends KubeObject = KubeObject>(
  kind: RelatedKind,
  options: RelatedOptions<T>,
) => record('related', options as unknown as HandlerOptions, undefined, kind);
/** @OnRelatedChange for Secrets. Only a hash of a Secret's data is ever stored on objects. */
export const OnSecretChange = <T extends KubeObject = KubeObject>(options: RelatedOptions<T>) =>
  OnRelatedChange({ apiVersion: 'v1', kind: 'Secret', plural: 'secrets' }, options);
/** @OnRelatedChange for ConfigMaps. */
export const OnConfigMapChange = <T extends KubeObject = KubeObject>(options: RelatedOptions<T>) =>
  OnRelatedChange({ apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps' }, options);
/** Operator-level: runs once before any controller starts. */
export const OnStartup = (options: HandlerOptions = {}) => record('startup', options);
/** Operator-level: runs once on shutdown, after the controllers stopped. */
export const OnCleanup = (options: HandlerOptions = {}) => record('cleanup', options);
