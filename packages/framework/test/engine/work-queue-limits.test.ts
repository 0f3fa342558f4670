// Defect 14: `concurrency` is one limit for the whole operator (not per controller), and a
// handler that asks to be requeued at once (requeueAfterSeconds: 0) is rate-limited per
// object instead of hot-looping.
import {
  Controller,
  OnCreate,
  Reconcile,
  type HandlerContext,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';

let active = 0;
let peak = 0;
const done: string[] = [];
const slow = async (name: string) => {
  active++;
  peak = Math.max(peak, active);
  await new Promise((r) => setTimeout(r, 300));
  active--;
  done.push(name);
};

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Apple', plural: 'apples' })
class AppleController {
  @OnCreate()
  async created(ctx: HandlerContext) {
    await slow(ctx.name);
  }
}

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Pear', plural: 'pears' })
class PearController {
  @OnCreate()
  async created(ctx: HandlerContext) {
    await slow(ctx.name);
  }
}

const reconciles: number[] = [];

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Eager', plural: 'eagers' })
class EagerController {
  @Reconcile()
  async reconcile() {
    reconciles.push(Date.now());
    return { requeueAfterSeconds: 0 };
  }
}

let ns: TestNamespace;
let apples: ResourceRef;
let pears: ResourceRef;
let eagers: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  ns = await createTestNamespace('queuelimits');
  apples = await ensureTestCrd(ns.client, 'Apple');
  pears = await ensureTestCrd(ns.client, 'Pear');
  eagers = await ensureTestCrd(ns.client, 'Eager');
  running = await startOperator([AppleController, PearController, EagerController], {
    namespaces: [ns.name],
    concurrency: 3,
  });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

test('concurrency bounds the handlers running across all controllers together', async () => {
  for (let i = 0; i < 6; i++) {
    await ns.client.create(apples, { metadata: { name: `a${i}`, namespace: ns.name }, spec: {} });
    await ns.client.create(pears, { metadata: { name: `p${i}`, namespace: ns.name }, spec: {} });
  }
  await eventually(() => done.length >= 12, { what: 'all twelve handled' });
  expect(peak).toBeLessThanOrEqual(3);
  expect(peak).toBeGreaterThan(1);
});

test('a handler that asks to be requeued at once is rate-limited, not hot-looped', async () => {
  await ns.client.create(eagers, { metadata: { name: 'e', namespace: ns.name }, spec: {} });
  await eventually(() => reconciles.length > 0, { what: 'the first reconcile' });
  const from = Date.now();
  await new Promise((r) => setTimeout(r, 4000));
  const runs = reconciles.filter((t) => t >= from).length;
  process.stderr.write(`[work-queue-limits] ${runs} reconciles in 4 s with requeueAfterSeconds: 0\n`);
  expect(runs).toBeGreaterThan(2); // still requeued
  expect(runs).toBeLessThan(40);
});
