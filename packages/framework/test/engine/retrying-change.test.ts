// Defect 8: a change handler that keeps retrying must not halt everything else of its object:
// timers and daemons keep running (as in Kopf); @Reconcile waits for the change to be handled.
import {
  Controller,
  Daemon,
  OnCreate,
  Reconcile,
  TemporaryError,
  Timer,
  type HandlerContext,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';

const runs: string[] = [];
const count = (entry: string) => runs.filter((r) => r === entry).length;

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Stubborn', plural: 'stubborns' })
class StubbornController {
  @OnCreate()
  async created(ctx: HandlerContext) {
    runs.push(`create:${ctx.name}`);
    throw new TemporaryError('the backend is not there yet', 60);
  }

  @Reconcile()
  async reconcile(ctx: HandlerContext) {
    runs.push(`reconcile:${ctx.name}`);
  }

  @Timer({ intervalSeconds: 1 })
  async tick(ctx: HandlerContext) {
    runs.push(`tick:${ctx.name}`);
  }

  @Daemon()
  async watch(ctx: HandlerContext) {
    runs.push(`daemon:${ctx.name}`);
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
  }
}

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  ns = await createTestNamespace('stubborn');
  resource = await ensureTestCrd(ns.client, 'Stubborn');
  running = await startOperator([StubbornController], { namespaces: [ns.name] });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

test('timers and daemons run while the create handler retries; @Reconcile waits', async () => {
  await ns.client.create(resource, { metadata: { name: 's', namespace: ns.name }, spec: {} });
  await eventually(() => count('create:s') === 1, { what: 'the create handler' });
  await eventually(() => count('daemon:s') === 1 && count('tick:s') >= 2, {
    what: 'the daemon and two timer ticks',
    timeoutMs: 10_000,
  });
  expect(count('reconcile:s')).toBe(0);
  expect(count('create:s')).toBe(1); // its 60 s delay holds
});
