// A controller with change handlers, @Reconcile and a status-writing @Timer (issue #18's bugs;
// recovery from a PermanentError with this shape is in stalled-recovery.test.ts):
// - a status write (each timer tick writes one) is not a change: @Reconcile does not run for it;
// - a new object's timer waits its interval first (initialDelaySeconds defaults to it), and
//   never fires twice in a row.
import {
  Controller,
  OnCreate,
  OnUpdate,
  Reconcile,
  Timer,
  type HandlerContext,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';

type Spec = Record<string, never>;
type Status = { ticks?: number };

const ticks = new Map<string, number[]>();
const reconciles = new Map<string, number[]>();
const createdAt = new Map<string, number>();

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Clocked', plural: 'clockeds' })
class ClockedController {
  @OnCreate()
  @OnUpdate()
  async handle() {}

  @Reconcile()
  async reconcile(ctx: HandlerContext<Spec, Status>) {
    reconciles.set(ctx.name, [...(reconciles.get(ctx.name) ?? []), Date.now()]);
  }

  @Timer({ intervalSeconds: 2 })
  async tick(ctx: HandlerContext<Spec, Status>) {
    const mine = [...(ticks.get(ctx.name) ?? []), Date.now()];
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
  running = await startOperator([ClockedController], { namespaces: [ns.name] });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

test('a new object`s timer waits its interval, and its ticks are an interval apart', async () => {
  createdAt.set('t', Date.now());
  await ns.client.create(resource, { metadata: { name: 't', namespace: ns.name }, spec: {} });
  await eventually(() => (ticks.get('t')?.length ?? 0) >= 3, { what: 'three ticks', timeoutMs: 20_000 });
  const [first, ...rest] = ticks.get('t') ?? [];
  expect((first ?? 0) - (createdAt.get('t') ?? 0)).toBeGreaterThan(1500);
  const all = [first as number, ...rest];
  const gaps = all.slice(1).map((t, i) => t - (all[i] as number));
  expect(Math.min(...gaps)).toBeGreaterThan(1500);
});

test('status writes (timer ticks) do not run @Reconcile', async () => {
  await ns.client.create(resource, { metadata: { name: 'r', namespace: ns.name }, spec: {} });
  await eventually(() => (ticks.get('r')?.length ?? 0) >= 1, { what: 'a first tick', timeoutMs: 10_000 });
  const before = reconciles.get('r')?.length ?? 0;
  await eventually(() => (ticks.get('r')?.length ?? 0) >= 4, { what: 'more ticks', timeoutMs: 20_000 });
  // Three ticks wrote status three times; none of that is a change of the object.
  expect((reconciles.get('r')?.length ?? 0) - before).toBeLessThanOrEqual(0);
});
