// A drained object's daemon and timer stop on its old owner before its new owner starts them:
// with in-process replicas, a third one joins while every object has a daemon running and a
// 1 s timer ticking (the daemons take 1.5 s to let go); per object, no two replicas' daemons
// ever ran at once, the old owner's timer never ticked after the new owner's first, and the old
// owner's @OnEvent is not told the object was deleted.
import {
  Controller,
  Daemon,
  OnEvent,
  Timer,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';

const SHARD = 'shard.operators.fedoraproject.org/watcher';
const DRAIN = 'drain.operators.fedoraproject.org/watcher';
const daemons: { replica: string; object: string; from: number; to?: number }[] = [];
const ticks: { replica: string; object: string; at: number }[] = [];
const deletedEvents: { replica: string; object: string }[] = [];

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Watched', plural: 'watcheds' })
class WatcherController {
  constructor(private readonly replica: string) {}

  @Daemon()
  async watchOver(ctx: HandlerContext) {
    const entry = { replica: this.replica, object: ctx.name, from: Date.now() } as (typeof daemons)[0];
    daemons.push(entry);
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
    // Letting go takes a while (closing connections, flushing): the handoff waits for it.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    entry.to = Date.now();
  }

  @OnEvent()
  async event(ctx: HandlerContext & { type?: string }) {
    if (ctx.type === 'DELETED') deletedEvents.push({ replica: this.replica, object: ctx.name });
  }

  @Timer({ intervalSeconds: 1 })
  async tick(ctx: HandlerContext) {
    ticks.push({ replica: this.replica, object: ctx.name, at: Date.now() });
  }
}

let ns: TestNamespace;
let resource: ResourceRef;
const replicas: RunningOperator[] = [];

beforeAll(async () => {
  ns = await createTestNamespace('daemon-handoff');
  resource = await ensureTestCrd(ns.client, 'Watched');
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await ns.dispose();
});

const start = async (identity: string) =>
  replicas.push(
    await startOperator([[WatcherController, identity]], {
      name: 'watcher',
      namespaces: [ns.name],
      sharding: {
        shards: 2,
        identity,
        leaseNamespace: ns.name,
        leaseDurationSeconds: 8,
        renewDeadlineSeconds: 6,
        retryPeriodSeconds: 1,
      },
    }),
  );

const running = (object: string) => daemons.filter((d) => d.object === object && d.to === undefined);

test('a moved object’s daemon and timer stop on the old owner before the new owner starts them', async () => {
  await start('r-a');
  await start('r-b');
  const names = Array.from({ length: 12 }, (_, i) => `w-${i}`);
  for (const name of names)
    await ns.client.create(resource, { metadata: { name, namespace: ns.name }, spec: {} });
  await eventually(() => names.every((n) => running(n).length === 1), { what: 'a daemon per object' });
  await start('r-c');
  const ofC = await eventually(
    async () => {
      const { items } = await ns.client.list<KubeObject>(resource, ns.name);
      const mine = items
        .filter((o) => o.metadata.labels?.[SHARD] === 'r-c')
        .map((o) => o.metadata.name ?? '');
      // Every move done: nothing is draining or unassigned (drain requests are all written at
      // once, long before the first daemon has let go).
      const moving = items.some((o) => !o.metadata.labels?.[SHARD] || o.metadata.labels?.[DRAIN]);
      return !moving && mine.length > 0 && mine.every((n) => running(n)[0]?.replica === 'r-c')
        ? mine
        : undefined;
    },
    { what: 'r-c running the daemons of its share' },
  );
  // Some ticks of the new owner, so a late tick of the old one would show.
  const since = Date.now();
  await eventually(() => ofC.every((n) => ticks.some((t) => t.object === n && t.at > since + 1000)), {
    what: 'timer ticks on r-c',
  });
  for (const name of ofC) {
    const runs = daemons.filter((d) => d.object === name);
    expect(runs.map((d) => d.replica)).toEqual([expect.stringMatching(/^r-[ab]$/), 'r-c']);
    const [before, after] = runs as [(typeof daemons)[0], (typeof daemons)[0]];
    expect(before.to).toBeLessThanOrEqual(after.from);
    const firstOfC = Math.min(
      ...ticks.filter((t) => t.object === name && t.replica === 'r-c').map((t) => t.at),
    );
    const lastOfOld = Math.max(
      ...ticks.filter((t) => t.object === name && t.replica !== 'r-c').map((t) => t.at),
    );
    expect(lastOfOld).toBeLessThan(firstOfC);
  }
  for (const name of names.filter((n) => !ofC.includes(n))) expect(running(name)).toHaveLength(1);
  // Handed over is not deleted: @OnEvent saw no DELETED on the old owners.
  expect(deletedEvents).toEqual([]);
  // The sharder (whichever replica it is) counted the moves and their drain times.
  const metric = async (name: string) =>
    (
      await Promise.all(
        replicas.map(
          async (r) => (await r.operator.metrics.registry.getSingleMetric(name)?.get())?.values ?? [],
        ),
      )
    ).flat();
  const moves = (await metric('operator_shard_moves_total')).filter((v) => v.labels.reason === 'rebalance');
  expect(moves.reduce((sum, v) => sum + v.value, 0)).toBe(ofC.length);
  const drained = (await metric('operator_shard_drain_seconds')).filter(
    (v) => (v as { metricName?: string }).metricName === 'operator_shard_drain_seconds_count',
  );
  expect(drained.reduce((sum, v) => sum + v.value, 0)).toBe(ofC.length);
  // Each drain waited for a daemon that takes 1.5 s to let go.
  const sums = (await metric('operator_shard_drain_seconds')).filter(
    (v) => (v as { metricName?: string }).metricName === 'operator_shard_drain_seconds_sum',
  );
  expect(sums.reduce((sum, v) => sum + v.value, 0)).toBeGreaterThanOrEqual(1.5 * ofC.length);
}, 120_000);
