// The framework's public API. Everything not exported here is internal.
import 'reflect-metadata';

export * from './decorators/index.js';
export { Operator, type OperatorOptions } from './runtime/operator.js';
export type { ShardingOptions } from './sharding/sharding-options.js';
export { HashRing, shardKeyOf, type ShardKey } from './sharding/hash-ring.js';
export { realClock, sleep, type Clock } from './time/clock.js';
export { TemporaryError, PermanentError, HandlerTimeoutError } from './reconcile/errors.js';
export type { HandlerContext, Cause, PendingPatch } from './reconcile/context.js';
export type { Condition, ConditionUpdate } from './reconcile/conditions.js';
export type { Diff, DiffItem, DiffOperation } from './reconcile/diff.js';
export {
  RegistrationError,
  describeController,
  type ControllerClass,
  type ControllerDescription,
} from './registry.js';
export * from './generate/index.js';
export { KubeClient, type JsonPatchOperation, type ListOptions } from './kube/client.js';
export { Kubeconfig, loadKubeConfig, type KubeAccess } from './kube/kubeconfig.js';
export { ApiError, isApiError } from './kube/errors.js';
export type { KubeObject, ObjectMeta, OwnerReference, ObjectList } from './kube/object.js';
export { objectKey } from './kube/object.js';
export { CoreResources, resourcePath, apiVersionOf, type ResourceRef } from './kube/resource.js';
export { createLogger, type Logger, type LoggerOptions } from './logging/logger.js';
export {
  watch$,
  WatchInactivityError,
  type WatchOptions,
  type WatchHooks,
  type WatchRestartReason,
} from './watch/watcher.js';
export { reflect } from './watch/reflector.js';
export { Store, type ReadonlyStore } from './watch/store.js';
export { Informer, type InformerContent, type InformerScope } from './watch/informer.js';
export { InformerFactory } from './watch/informer-factory.js';
export { metadataOnly } from './watch/slim.js';
export type { WatcherEvent, ObjectEvent } from './watch/events.js';
