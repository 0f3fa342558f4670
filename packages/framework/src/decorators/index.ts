export { Controller } from './controller.js';
export {
  OnCreate,
  OnUpdate,
  OnDelete,
  OnResume,
  OnField,
  OnEvent,
  Reconcile,
  Timer,
  Daemon,
  OnRelatedChange,
  OnSecretChange,
  OnConfigMapChange,
  OnStartup,
  OnCleanup,
} from './handlers.js';
export { Owns } from './owns.js';
export { Watches } from './watches.js';
export { RbacRule } from './rbac-rule.js';
export { PRESENT, ABSENT } from './options.js';
export type {
  BackoffOptions,
  ControllerOptions,
  DaemonOptions,
  ErrorPolicy,
  HandlerKind,
  HandlerMetadata,
  HandlerOptions,
  ObjectRef,
  OwnsOptions,
  PolicyRule,
  RelatedKind,
  RelatedOptions,
  TimerOptions,
  ValueFilter,
  WatchesOptions,
} from './options.js';
