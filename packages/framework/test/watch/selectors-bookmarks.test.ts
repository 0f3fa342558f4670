// Label selectors are applied by the apiserver (the server never sends the other objects),
// and bookmarks move the resume point forward even when no event of ours arrives.
import { CoreResources } from '../../src/kube/resource.ts';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { configMap, rv, startWatch, summary, type WatchRun } from './harness.ts';

let ns: TestNamespace;
let other: TestNamespace;
let run: WatchRun | undefined;

beforeAll(async () => {
  ns = await createTestNamespace('watch-select');
  other = await createTestNamespace('watch-other');
});
afterEach(() => run?.stop());
afterAll(async () => {
  await ns.dispose();
  await other.dispose();
});

test('a label selector is passed to the server for the list and the watch', async () => {
  const { client, name } = ns;
  await client.create(CoreResources.configMap, configMap(name, 'wanted-1', '1', { app: 'wanted' }));
  await client.create(CoreResources.configMap, configMap(name, 'other-1', '1', { app: 'other' }));
  run = startWatch(client, { namespace: name, labelSelector: 'app=wanted' });
  const { transport, events } = run;
  await eventually(() => events.some((e) => e.type === 'synced'), { what: 'the initial list' });

  await client.create(CoreResources.configMap, configMap(name, 'other-2', '1', { app: 'other' }));
  await client.create(CoreResources.configMap, configMap(name, 'wanted-2', '1', { app: 'wanted' }));
  await eventually(() => run?.store.get(name, 'wanted-2'), { what: 'the second wanted object' });

  expect(summary(events)).toEqual([
    'upsert wanted-1 v=1 previous=-',
    'synced',
    'upsert wanted-2 v=1 previous=-',
  ]);
  expect(transport.listQueries[0]).toMatchObject({ labelSelector: 'app=wanted' });
  expect(transport.watchQueries[0]).toMatchObject({ labelSelector: 'app=wanted' });
  // Filtered on the server: the wire never carried the others.
  expect(transport.lines.map((l) => l.object.metadata?.name)).not.toContain('other-2');
});

test('bookmarks advance the resourceVersion a watch resumes from', async () => {
  const { client, name } = ns;
  // A short server-side timeout: the apiserver sends a bookmark shortly before it ends a watch.
  run = startWatch(client, { namespace: name, labelSelector: 'app=none', timeoutSeconds: 5 });
  const { transport, events } = run;
  await eventually(() => events.some((e) => e.type === 'synced'), { what: 'the initial list' });
  const listed = run.raw.find((e) => e.type === 'initDone');
  const listedAt = rv(listed?.type === 'initDone' ? listed.resourceVersion : undefined);

  // A write this watch cannot see still moves the resource's resourceVersion on.
  const elsewhere = await other.client.create(
    CoreResources.configMap,
    configMap(other.name, 'elsewhere', '1'),
  );
  const writtenAt = rv(elsewhere.metadata.resourceVersion);
  expect(writtenAt).toBeGreaterThan(listedAt);

  const resumed = await eventually(
    () => transport.watchQueries.find((q) => rv(q.resourceVersion as string) >= writtenAt),
    { what: 'a watch resumed from past the foreign write' },
  );
  // No event of ours came: only a bookmark can have carried that resourceVersion.
  const bookmarked = transport.lines
    .filter((l) => l.type === 'BOOKMARK')
    .map((l) => l.object.metadata?.resourceVersion);
  expect(bookmarked).toContain(resumed.resourceVersion);
  expect(summary(events)).toEqual(['synced']);
  expect(run.relists()).toBe(0);
  expect(run.restarts).toEqual([]);
});
