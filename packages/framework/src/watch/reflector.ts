// The reflector: applies the watcher's events to a Store and turns them into object-level
// changes that carry the previous state. A (re)list is buffered until it is complete and
// then swapped in whole, so the store never mixes two lists, and what vanished while the
// watch was away comes out as a delete instead of lingering in the cache.
import { defer, mergeMap, type OperatorFunction } from 'rxjs';
import type { KubeObject } from '../kube/object.js';
import type { ObjectEvent, WatcherEvent } from './events.js';
import type { Store } from './store.js';

export function reflect<T extends KubeObject>(
  store: Store<T>,
): OperatorFunction<WatcherEvent<T>, ObjectEvent<T>> {
  return (source) =>
    defer(() => {
      let listed: T[] = [];
      return source.pipe(
        mergeMap((event): ObjectEvent<T>[] => {
          switch (event.type) {
            case 'init':
              // A list that failed half-way is started again from its first page.
              listed = [];
              return [];
            case 'initApply':
              listed.push(withoutManagedFields(event.object));
              return [];
            case 'initDone': {
              const events = replaceAll(store, listed);
              listed = [];
              return events;
            }
            case 'apply': {
              const object = withoutManagedFields(event.object);
              return [{ type: 'upsert', object, previous: store.set(object) }];
            }
            case 'delete': {
              const object = withoutManagedFields(event.object);
              store.delete(object);
              return [{ type: 'delete', object }];
            }
          }
        }),
      );
    });
}

function replaceAll<T extends KubeObject>(store: Store<T>, listed: T[]): ObjectEvent<T>[] {
  const events: ObjectEvent<T>[] = [];
  for (const object of listed) {
    const cached = store.get(object.metadata.namespace, object.metadata.name ?? '');
    if (cached && cached.metadata.uid !== object.metadata.uid) {
      // Deleted and re-created under the same name while we were away: two objects, not an update.
      events.push({ type: 'delete', object: cached });
      events.push({ type: 'upsert', object, previous: undefined });
    } else if (cached?.metadata.resourceVersion !== object.metadata.resourceVersion) {
      events.push({ type: 'upsert', object, previous: cached });
    }
  }
  for (const object of store.replace(listed)) events.push({ type: 'delete', object });
  events.push({ type: 'synced' });
  return events;
}

/** managedFields is often the larger part of an object and no handler reads it. */
export function withoutManagedFields<T extends KubeObject>(object: T): T {
  if (object.metadata.managedFields === undefined) return object;
  const { managedFields: _managedFields, ...metadata } = object.metadata;
  return { ...object, metadata };
}
