// Per-object timers fire at their interval and stop with their object; daemons are cancelled
// when their object is deleted.
import {
  Controller,
  Daemon,
  OnCreate,
  Timer,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, waitForObject, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { engineDoneWith, trackEngineRuns } from '../../../../test/support/engine-progress.ts';
import { eventually } from '../../../../test/support/eventually.ts';

const ticks = new Map<string, number[]>();
const daemons = new Map<string, 'running' | 'cancelled'>();

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Ticker', plural: 'tickers' })
class TickerController {
  @OnCreate()
  async create() {}

  @Timer({ intervalSeconds: 1 })
  async tick(ctx: HandlerContext) {
    ticks.set(ctx.name, [...(ticks.get(ctx.name) ?? []), Date.now()]);
    ctx.patch.status.ticks = ticks.get(ctx.name)?.length;
  }

  @Daemon()
  async watchOver(ctx: HandlerContext) {
    daemons.set(ctx.name, 'running');
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
    daemons.set(ctx.name, 'cancelled');
  }
}

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  trackEngineRuns();
  ns = await createTestNamespace('timers');
  resource = await ensureTestCrd(ns.client, 'Ticker');
  running = await startOperator([TickerController], { namespaces: [ns.name] });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

test('a timer fires at its interval and stops when its object is deleted; the daemon is cancelled', async () => {
  await ns.client.create(resource, { metadata: { name: 't1', namespace: ns.name }, spec: {} });
  await eventually(() => (ticks.get('t1')?.length ?? 0) >= 4, { what: '4 timer runs', timeoutMs: 15_000 });
  const times = ticks.get('t1') ?? [];
  for (let i = 1; i < times.length; i++) {
    const gap = (times[i] ?? 0) - (times[i - 1] ?? 0);
    expect(gap).toBeGreaterThanOrEqual(900);
    expect(gap).toBeLessThan(2500);
  }
  expect(daemons.get('t1')).toBe('running');
  // What a timer puts in ctx.patch reaches the object's status.
  await waitForObject<KubeObject<unknown, { ticks?: number }>>(
    ns.client,
    resource,
    ns.name,
    't1',
    (o) => (o?.status?.ticks ?? 0) >= 3,
  );

  await ns.client.delete(resource, ns.name, 't1');
  await waitForObject(ns.client, resource, ns.name, 't1', (o) => o === undefined);
  expect(daemons.get('t1')).toBe('cancelled');
  // Once the engine has seen the deletion (and no run is under way), count; then more than
  // two intervals with no tick show the timer stopped (a periodic thing needs its period).
  await engineDoneWith(ns.name, 't1');
  const after = ticks.get('t1')?.length ?? 0;
  await new Promise((r) => setTimeout(r, 2500));
  expect(ticks.get('t1')?.length ?? 0).toBe(after);
});
