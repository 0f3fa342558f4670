// A controller with change handlers, @Reconcile and a status-writing @Timer (issue #18's bugs;
// recovery from a PermanentError with this shape is in stalled-recovery.test.ts), on a
// ManualClock so every assertion is exact and no test sleeps (timers on the real clock:
// runtime/timers-and-daemons.test.ts):
// - a new object's timer waits its interval first (initialDelaySeconds defaults to it), runs
//   exactly at each due time, and never twice at once;
// - a status write (each timer tick writes one) is not a change: @Reconcile does not run for it.
import {
  Controller,
  OnCreate,
  OnUpdate,
  Reconcile,
  Timer,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import {
  ManualClock,
  startOperator,
  waitForCondition,
  waitForObject,
  type RunningOperator,
} from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';

type Status = { ticks?: number; reconciledRound?: string };
type Clocked = KubeObject<Record<string, never>, Status>;

const clock = new ManualClock();
/** Clock times of each object's timer runs, and how often @Reconcile ran per object. */
const ticks = new Map<string, number[]>();
const reconciles = new Map<string, number>();

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Clocked', plural: 'clockeds' })
class ClockedController {
  @OnCreate()
  @OnUpdate()
  async handle() {}

  /** Records the label `round` it saw: the positive marker that a run happened. */
  @Reconcile()
  async reconcile(ctx: HandlerContext<Record<string, never>, Status>) {
    reconciles.set(ctx.name, (reconciles.get(ctx.name) ?? 0) + 1);
    ctx.patch.status.reconciledRound = ctx.meta.labels?.round ?? '';
  }

  @Timer({ intervalSeconds: 2 })
  async tick(ctx: HandlerContext<Record<string, never>, Status>) {
    const mine = [...(ticks.get(ctx.name) ?? []), clock.now()];
    ticks.set(ctx.name, mine);
    ctx.patch.status.ticks = mine.length;
  }
}

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  ns = await createTestNamespace('clocked');
  resource = await ensureTestCrd(ns.client, 'Clocked');
  running = await startOperator([ClockedController], { namespaces: [ns.name], clock });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

const ticked = (name: string, count: number) =>
  waitForObject<Clocked>(ns.client, resource, ns.name, name, (o) => o?.status?.ticks === count, {
    what: `${name}: tick ${count}`,
  });

test('a new object`s timer waits its interval, then runs exactly at each due time, once', async () => {
  const createdAt = clock.now();
  await ns.client.create(resource, { metadata: { name: 't', namespace: ns.name }, spec: {} });
  await waitForCondition(ns.client, resource, ns.name, 't', 'Ready');
  for (const n of [1, 2, 3]) {
    await clock.advance(1_999);
    await clock.advance(1);
    await ticked('t', n);
  }
  // A timer that fired at once, early, or twice at a time would show here.
  expect(ticks.get('t')).toEqual([createdAt + 2_000, createdAt + 4_000, createdAt + 6_000]);
});

test('status writes (timer ticks) do not run @Reconcile', async () => {
  await ns.client.create(resource, { metadata: { name: 'r', namespace: ns.name }, spec: {} });
  await waitForCondition(ns.client, resource, ns.name, 'r', 'Ready');
  const before = reconciles.get('r') ?? 0;
  for (const n of [1, 2, 3]) {
    await clock.advance(2_000);
    await ticked('r', n);
  }
  // Positive marker: a label change runs @Reconcile once; the ticks' status writes came before it
  // on the watch, so by the time its status shows, their runs are done too.
  await ns.client.mergePatch(resource, ns.name, 'r', { metadata: { labels: { round: '1' } } });
  await waitForObject<Clocked>(ns.client, resource, ns.name, 'r', (o) => o?.status?.reconciledRound === '1', {
    what: 'the reconcile of the label change',
  });
  expect((reconciles.get('r') ?? 0) - before).toBe(1);
});
