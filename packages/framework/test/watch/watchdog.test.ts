// The inactivity watchdog against the real apiserver: a watch that gets nothing for
// inactivitySeconds (well before its server-side timeout) is aborted and re-opened from the
// same resourceVersion, without relisting, and still delivers new events.
import { CoreResources } from '../../src/kube/resource.ts';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { configMap, startWatch, summary, type WatchRun } from './harness.ts';

let ns: TestNamespace;
let run: WatchRun | undefined;

beforeAll(async () => {
  ns = await createTestNamespace('watch-watchdog');
});
afterEach(() => run?.stop());
afterAll(async () => {
  await ns.dispose();
});

test('a silent watch is re-opened from the same resourceVersion and still delivers', async () => {
  const { client, name } = ns;
  run = startWatch(client, { namespace: name, inactivitySeconds: 1, timeoutSeconds: 120 });
  const { transport, events, raw } = run;
  await eventually(() => events.some((e) => e.type === 'synced'), { what: 'the initial list' });
  const startedAt = Date.now();

  await eventually(() => run?.restarts.filter((r) => r === 'inactivity').length === 3, {
    what: 'three watchdog restarts',
  });
  const elapsed = Date.now() - startedAt;
  expect(elapsed).toBeGreaterThanOrEqual(2500);
  expect(elapsed).toBeLessThan(10_000);
  const listed = raw.find((e) => e.type === 'initDone');
  const versions = new Set(transport.watchQueries.map((q) => q.resourceVersion));
  expect([...versions]).toEqual([listed?.type === 'initDone' ? listed.resourceVersion : 'missing']);
  expect(transport.watchQueries.every((q) => q.timeoutSeconds === 120)).toBe(true);
  expect(run.relists()).toBe(0);

  await client.create(CoreResources.configMap, configMap(name, 'late', '1'));
  await eventually(() => run?.store.get(name, 'late'), { what: 'the event after the restarts' });
  expect(summary(events)).toEqual(['synced', 'upsert late v=1 previous=-']);
  expect(raw.filter((e) => e.type === 'init')).toHaveLength(1);
});
