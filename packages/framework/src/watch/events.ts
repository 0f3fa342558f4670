// The two vocabularies of the watch layer.
// WatcherEvent: what watch$() emits, following the list-then-watch protocol (kube-rs style):
//   init -> initApply* -> initDone, then apply/delete until the next relist.
// ObjectEvent: what the reflector emits after applying those to its store: object-level
//   changes with the previous state, including synthetic deletes for objects that vanished
//   while the watch was disconnected, and `synced` after every completed (re)list.
import type { KubeObject } from '../kube/object.js';

export type WatcherEvent<T extends KubeObject = KubeObject> =
  | { type: 'init' }
  | { type: 'initApply'; object: T }
  | { type: 'initDone'; resourceVersion: string }
  | { type: 'apply'; object: T }
  | { type: 'delete'; object: T };

export type ObjectEvent<T extends KubeObject = KubeObject> =
  { type: 'upsert'; object: T; previous: T | undefined } | { type: 'delete'; object: T } | { type: 'synced' };
