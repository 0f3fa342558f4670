// List, then watch, against the real apiserver: the initial list comes out as
// init/initApply/initDone and then ADDED, MODIFIED and DELETED as apply/delete, with the
// reflector's store following the server.
import { CoreResources } from '../../src/kube/resource.ts';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { configMap, startWatch, summary, type ConfigMap, type WatchRun, withoutRootCa } from './harness.ts';

let ns: TestNamespace;
let run: WatchRun | undefined;

beforeAll(async () => {
  ns = await createTestNamespace('watch-list');
});
afterEach(() => run?.stop());
afterAll(async () => {
  await ns.dispose();
});

test('lists what exists, then sees ADDED, MODIFIED and DELETED', async () => {
  const { client, name } = ns;
  await client.create(CoreResources.configMap, configMap(name, 'before', '1'));
  run = startWatch(client, { namespace: name });
  const { raw, events, store } = run;

  await eventually(() => events.some((e) => e.type === 'synced'), { what: 'the initial list' });
  expect(raw.map((e) => e.type)).toEqual(['init', 'initApply', 'initDone']);
  expect(store.get(name, 'before')).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', data: { v: '1' } });

  await client.create(CoreResources.configMap, configMap(name, 'after', '1'));
  await client.mergePatch(CoreResources.configMap, name, 'after', { data: { v: '2' } });
  await client.delete(CoreResources.configMap, name, 'before');
  await eventually(() => events.some((e) => e.type === 'delete'), { what: 'the delete event' });

  expect(raw.map((e) => e.type)).toEqual(['init', 'initApply', 'initDone', 'apply', 'apply', 'delete']);
  expect(summary(events)).toEqual([
    'upsert before v=1 previous=-',
    'synced',
    'upsert after v=1 previous=-',
    'upsert after v=2 previous=1',
    'delete before',
  ]);
  // The watch started exactly where the list left off.
  const initDone = raw.find((e) => e.type === 'initDone');
  expect(run.transport.watchQueries[0]).toMatchObject({
    resourceVersion: initDone?.type === 'initDone' ? initDone.resourceVersion : 'missing',
    allowWatchBookmarks: true,
  });

  const server = await client.list<ConfigMap>(CoreResources.configMap, name, {
    fieldSelector: withoutRootCa,
  });
  const byName = (objects: ConfigMap[]) =>
    objects.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).sort();
  expect(byName(store.list())).toEqual(byName(server.items));
  expect(store.get(name, 'after')?.metadata).not.toHaveProperty('managedFields');
  expect(run.restarts).toEqual([]);
});
