import { firstValueFrom, from, toArray } from 'rxjs';
import type { KubeObject } from '../kube/object.js';
import type { ObjectEvent, WatcherEvent } from './events.js';
import { reflect } from './reflector.js';
import { Store } from './store.js';

function cm(name: string, resourceVersion: string, uid = `uid-${name}`): KubeObject {
  return { metadata: { namespace: 'ns', name, resourceVersion, uid } };
}

function run(store: Store, events: WatcherEvent[]): Promise<ObjectEvent[]> {
  return firstValueFrom(from(events).pipe(reflect(store), toArray()));
}

function list(...objects: KubeObject[]): WatcherEvent[] {
  return [
    { type: 'init' },
    ...objects.map((object): WatcherEvent => ({ type: 'initApply', object })),
    { type: 'initDone', resourceVersion: '100' },
  ];
}

function summary(events: ObjectEvent[]): string[] {
  return events.map((e) =>
    e.type === 'synced'
      ? 'synced'
      : e.type === 'delete'
        ? `delete ${e.object.metadata.name}@${e.object.metadata.resourceVersion}`
        : `upsert ${e.object.metadata.name}@${e.object.metadata.resourceVersion} previous=${e.previous?.metadata.resourceVersion ?? '-'}`,
  );
}

test('the first list fills the store and upserts everything, then synced', async () => {
  const store = new Store();
  const events = await run(store, list(cm('a', '1'), cm('b', '2')));
  expect(summary(events)).toEqual(['upsert a@1 previous=-', 'upsert b@2 previous=-', 'synced']);
  expect(store.list().map((o) => o.metadata.name)).toEqual(['a', 'b']);
  expect(store.hasSynced).toBe(true);
});

test('nothing reaches the store until the list is complete', async () => {
  const store = new Store();
  const events = await run(store, [{ type: 'init' }, { type: 'initApply', object: cm('a', '1') }]);
  expect(events).toEqual([]);
  expect(store.size).toBe(0);
  expect(store.hasSynced).toBe(false);
});

test('a relist upserts what changed, deletes what vanished, and is quiet about the rest', async () => {
  const store = new Store();
  await run(store, list(cm('a', '1'), cm('b', '2'), cm('c', '3')));
  const events = await run(store, list(cm('a', '5'), cm('c', '3'), cm('d', '6')));
  expect(summary(events)).toEqual(['upsert a@5 previous=1', 'upsert d@6 previous=-', 'delete b@2', 'synced']);
  expect(
    store
      .list()
      .map((o) => o.metadata.name)
      .sort(),
  ).toEqual(['a', 'c', 'd']);
});

test('an object re-created under the same name while away is a delete then a fresh upsert', async () => {
  const store = new Store();
  await run(store, list(cm('a', '1', 'first')));
  const events = await run(store, list(cm('a', '7', 'second')));
  expect(summary(events)).toEqual(['delete a@1', 'upsert a@7 previous=-', 'synced']);
  expect(store.get('ns', 'a')?.metadata.uid).toBe('second');
});

test('a list started again from scratch drops the half-read one', async () => {
  const store = new Store();
  const events = await run(store, [
    { type: 'init' },
    { type: 'initApply', object: cm('stale', '1') },
    ...list(cm('a', '2')),
  ]);
  expect(summary(events)).toEqual(['upsert a@2 previous=-', 'synced']);
  expect(store.getByKey('ns/stale')).toBeUndefined();
});

test('watch events update the store and carry the previous state', async () => {
  const store = new Store();
  const events = await run(store, [
    ...list(cm('a', '1')),
    { type: 'apply', object: cm('a', '2') },
    { type: 'apply', object: cm('b', '3') },
    { type: 'delete', object: cm('a', '4') },
  ]);
  expect(summary(events)).toEqual([
    'upsert a@1 previous=-',
    'synced',
    'upsert a@2 previous=1',
    'upsert b@3 previous=-',
    'delete a@4',
  ]);
  expect(store.list().map((o) => o.metadata.name)).toEqual(['b']);
});

test('managedFields are stripped before caching and emitting', async () => {
  const store = new Store();
  const object: KubeObject = {
    metadata: { ...cm('a', '1').metadata, managedFields: [{ manager: 'kubectl' }] },
  };
  const events = await run(store, [...list(object), { type: 'apply', object: { ...object } }]);
  expect(store.get('ns', 'a')?.metadata).not.toHaveProperty('managedFields');
  for (const event of events) {
    if (event.type !== 'synced') expect(event.object.metadata).not.toHaveProperty('managedFields');
  }
  expect(object.metadata.managedFields).toHaveLength(1);
});

test('the read-only view follows the store', async () => {
  const store = new Store();
  const view = store.view;
  expect(view.hasSynced).toBe(false);
  await run(store, list(cm('a', '1')));
  expect(view.size).toBe(1);
  expect(view.hasSynced).toBe(true);
  expect(view.get('ns', 'a')?.metadata.resourceVersion).toBe('1');
  expect(view).not.toHaveProperty('set');
});
