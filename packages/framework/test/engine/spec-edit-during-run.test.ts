// A spec edited while a run of several change handlers is busy is a change still to handle:
// every handler runs again for the new spec, even if a later one of the busy run saw it. The
// first handler waits at a gate the test opens after its edit, so the race is certain. (A label
// edited while @Reconcile runs: edit-during-run.test.ts.)
import { Controller, OnUpdate, type HandlerContext, type ResourceRef } from '@fedora-operators/framework';
import { startOperator, waitForObject, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';

type Spec = { v?: number };
type Status = Record<string, unknown>;

/** A gate a handler waits at while the test edits the object. */
class Gate {
  private open: Promise<void> = Promise.resolve();
  private release = () => {};
  entered = false;
  close() {
    this.entered = false;
    this.open = new Promise((resolve) => (this.release = resolve));
  }
  async pass() {
    this.entered = true;
    await this.open;
  }
  openUp() {
    this.release();
  }
}

const updateGate = new Gate();
/** The spec.v each update handler saw. */
const seenByFirst: number[] = [];
const seenBySecond: number[] = [];

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Respecced', plural: 'respecceds' })
class RespeccedController {
  @OnUpdate({ id: 'first' })
  async first(ctx: HandlerContext<Spec, Status>) {
    seenByFirst.push(ctx.spec.v ?? 0);
    if (ctx.spec.v === 1) await updateGate.pass();
  }

  @OnUpdate({ id: 'second' })
  async second(ctx: HandlerContext<Spec, Status>) {
    seenBySecond.push(ctx.spec.v ?? 0);
  }
}

let ns: TestNamespace;
let respecceds: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  ns = await createTestNamespace('edits');
  respecceds = await ensureTestCrd(ns.client, 'Respecced');
  running = await startOperator([RespeccedController], { namespaces: [ns.name] });
});
afterAll(async () => {
  updateGate.openUp();
  await running?.stop();
  await ns.dispose();
});

test('a spec edit made during a run of several change handlers runs them all for the new spec', async () => {
  await ns.client.create(respecceds, { metadata: { name: 's', namespace: ns.name }, spec: { v: 0 } });
  await eventually(() => waitForObject(ns.client, respecceds, ns.name, 's', (o) => !!o?.status), {
    what: 'the create handled',
  });
  updateGate.close();
  await ns.client.mergePatch(respecceds, ns.name, 's', { spec: { v: 1 } });
  await eventually(() => updateGate.entered, { what: 'the first update handler of v=1 running' });
  await ns.client.mergePatch(respecceds, ns.name, 's', { spec: { v: 2 } });
  updateGate.openUp();
  await eventually(() => seenByFirst.includes(2) && seenBySecond.includes(2), {
    what: 'both update handlers run for v=2',
    timeoutMs: 15_000,
  });
  expect(seenByFirst).toEqual([1, 2]);
});
