// 200 objects changed at once: each change handled exactly once, per-object order kept,
// concurrency within the limit.
import {
  Controller,
  OnCreate,
  OnUpdate,
  type HandlerContext,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { engineCaughtUp, trackEngineRuns } from '../../../../test/support/engine-progress.ts';
import { eventually } from '../../../../test/support/eventually.ts';

const N = 200;
const LIMIT = 8;
const handled = new Map<string, string[]>();
let active = 0;
let peak = 0;

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Crowd', plural: 'crowds' })
class CrowdController {
  @OnCreate()
  @OnUpdate()
  async handle(ctx: HandlerContext<{ step: number }>) {
    active++;
    peak = Math.max(peak, active);
    try {
      handled.set(ctx.name, [...(handled.get(ctx.name) ?? []), `${ctx.cause}:${ctx.spec.step}`]);
      await new Promise((r) => setTimeout(r, 5));
    } finally {
      active--;
    }
  }
}

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  trackEngineRuns();
  ns = await createTestNamespace('many');
  resource = await ensureTestCrd(ns.client, 'Crowd');
  running = await startOperator([CrowdController], { namespaces: [ns.name], concurrency: LIMIT });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

const names = Array.from({ length: N }, (_, i) => `crowd-${i}`);
const total = () => [...handled.values()].reduce((sum, list) => sum + list.length, 0);

test(`${N} creates, then ${N} updates: each handled exactly once, in order, within the concurrency limit`, async () => {
  await Promise.all(
    names.map((name) =>
      ns.client.create(resource, { metadata: { name, namespace: ns.name }, spec: { step: 0 } }),
    ),
  );
  await eventually(() => total() >= N, { what: `${N} creates handled`, timeoutMs: 60_000 });
  await Promise.all(
    names.map((name) => ns.client.mergePatch(resource, ns.name, name, { spec: { step: 1 } })),
  );
  await eventually(() => total() >= 2 * N, { what: `${N} updates handled`, timeoutMs: 60_000 });
  for (const name of names) await engineCaughtUp(ns.client, resource, ns.name, name);
  for (const name of names) expect(handled.get(name)).toEqual(['create:0', 'update:1']);
  expect(peak).toBeLessThanOrEqual(LIMIT);
  expect(peak).toBeGreaterThan(1);
});
