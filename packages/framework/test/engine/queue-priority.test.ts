// Issue #15, work queue: "an initial list of 10k starves new objects". With 2000 objects in the
// initial list and a small concurrency (4), an object created after the operator started is handled
// long before the list drains (changes go before background work), and the list still drains
// (background work is not starved). Measured as order of handling, not time.
import { Controller, OnCreate, type HandlerContext, type ResourceRef } from '@fedora-operators/framework';
import { startOperator, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';

const LISTED = 2000;
const order: string[] = [];

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Backlog', plural: 'backlogs' })
class BacklogController {
  @OnCreate()
  async created(ctx: HandlerContext) {
    order.push(ctx.name);
  }
}

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator | undefined;

beforeAll(async () => {
  ns = await createTestNamespace('backlog');
  resource = await ensureTestCrd(ns.client, 'Backlog');
  for (let i = 0; i < LISTED; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, LISTED - i) }, (_, j) =>
        ns.client.create(resource, { metadata: { name: `listed-${i + j}`, namespace: ns.name }, spec: {} }),
      ),
    );
  }
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

test(`an object created after start is handled before an initial list of ${LISTED} drains`, async () => {
  running = await startOperator([BacklogController], { namespaces: [ns.name], concurrency: 4 });
  await ns.client.create(resource, { metadata: { name: 'late', namespace: ns.name }, spec: {} });
  await eventually(() => order.includes('late'), { what: 'the late object handled', timeoutMs: 120_000 });
  const before = order.indexOf('late');
  process.stderr.write(
    `[queue-priority] the late object was handled after ${before} of ${LISTED} listed ones\n`,
  );
  expect(before).toBeLessThan(LISTED / 4);
  // The list is not starved: it drains, each object once.
  await eventually(() => order.length >= LISTED + 1, {
    what: 'the initial list drained',
    timeoutMs: 120_000,
  });
  expect(new Set(order).size).toBe(LISTED + 1);
});
