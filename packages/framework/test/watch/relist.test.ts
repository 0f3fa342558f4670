// 410 Gone against the real apiserver: while the watch is cut off, objects are changed,
// created and deleted, and the server moves on far enough to forget the watch's
// resourceVersion; the watch comes back with it, gets 410, relists, and the reflector reports exactly what happened in between, including
// the deletes it never saw as events.
import { statSync } from 'node:fs';
import { CoreResources } from '../../src/kube/resource.ts';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { configMap, startWatch, summary, type ConfigMap, type WatchRun, withoutRootCa } from './harness.ts';

let ns: TestNamespace;
let scratch: TestNamespace;
let run: WatchRun | undefined;

beforeAll(async () => {
  ns = await createTestNamespace('watch-relist');
  scratch = await createTestNamespace('watch-churn');
});
afterEach(() => run?.stop());
afterAll(async () => {
  await ns.dispose();
  await scratch.dispose();
});

test('a watch away long enough for the server to forget its resourceVersion relists and misses nothing', async () => {
  const { client, name } = ns;
  for (const n of ['a', 'b', 'c']) await client.create(CoreResources.configMap, configMap(name, n, '1'));
  run = startWatch(client, { namespace: name });
  const { transport, events, store } = run;
  await eventually(() => events.some((e) => e.type === 'synced'), { what: 'the initial list' });
  const seenBefore = events.length;
  const resumeFrom = String(transport.watchQueries.at(-1)?.resourceVersion);

  transport.disconnect();
  await eventually(() => run?.restarts.includes('error'), { what: 'a failed reconnect' });
  await client.mergePatch(CoreResources.configMap, name, 'a', { data: { v: '2' } });
  await client.delete(CoreResources.configMap, name, 'b');
  await client.create(CoreResources.configMap, configMap(name, 'd', '1'));
  await outliveWatchCache(resumeFrom);
  transport.reconnect();

  await eventually(() => events.filter((e) => e.type === 'synced').length === 2, { what: 'the relist' });
  expect(transport.lines).toContainEqual({ type: 'ERROR', object: expect.objectContaining({ code: 410 }) });
  expect(run.restarts).toContain('expired');
  expect(run.relists()).toBe(1);
  expect(summary(events.slice(seenBefore))).toEqual([
    'upsert a v=2 previous=1',
    'upsert d v=1 previous=-',
    'delete b',
    'synced',
  ]);
  const server = await client.list<ConfigMap>(CoreResources.configMap, name, {
    fieldSelector: withoutRootCa,
  });
  const byName = (objects: ConfigMap[]) =>
    objects.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).sort();
  expect(byName(store.list())).toEqual(byName(server.items));

  // And the watch carries on from the relist.
  await client.create(CoreResources.configMap, configMap(name, 'e', '1'));
  await eventually(() => store.get(name, 'e'), { what: 'the event after the relist' });
  expect(summary(events).at(-1)).toBe('upsert e v=1 previous=-');
}, 360_000);

/**
 * Makes the apiserver forget `resourceVersion` for real. Neither etcd compaction nor a tiny
 * resourceVersion does it on a young cluster: the watch cache keeps every ConfigMap event
 * since it started and only drops events older than 75 s once its buffer is full. So: let
 * the cluster age past that, then write (in another namespace, which this watch cannot see)
 * until a watch from `resourceVersion` is answered with 410. That took 90-125 s of writes on a
 * loaded 2-core machine, so the wait allows twice that.
 */
async function outliveWatchCache(resourceVersion: string): Promise<void> {
  const clusterReadyAt = statSync(process.env.TESTCLUSTER_STATE ?? '').mtimeMs;
  const waitMs = clusterReadyAt + 80_000 - Date.now();
  if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
  const { client, name } = scratch;
  await client.create(CoreResources.configMap, configMap(name, 'churn', '0'));
  let writes = 0;
  await eventually(
    async () => {
      for (let i = 0; i < 100; i++) {
        await client.mergePatch(CoreResources.configMap, name, 'churn', { data: { v: String(++writes) } });
      }
      return (await firstWatchLine(resourceVersion)).includes('"code":410');
    },
    { what: `a watch from ${resourceVersion} to be answered with 410`, timeoutMs: 240_000, intervalMs: 0 },
  );
}

async function firstWatchLine(resourceVersion: string): Promise<string> {
  const path = `/api/v1/namespaces/${scratch.name}/configmaps`;
  for await (const line of scratch.client.http.stream(path, {
    query: { watch: 1, resourceVersion, timeoutSeconds: 1 },
  })) {
    return JSON.stringify(line);
  }
  return '';
}
