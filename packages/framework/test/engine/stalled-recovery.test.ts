// Issue #18's bug list: "a controller with @OnCreate/@OnUpdate, @Reconcile and a
// status-writing @Timer that recovers from a PermanentError after a spec fix stays Ready=False
// Stalled=True with the old observedGeneration for good". The same shape, on the real
// apiserver, with a ManualClock so the timer's status write lands exactly while the object is
// stalled: the fix must bring Ready=True, Stalled=False, both for the new generation. Three
// ways to fix: a create that failed, an update that failed, and an update that failed undone
// by going back to the spec last handled (no change handler is due then: the diff-base already
// holds that spec), with and without @Reconcile.
import {
  Controller,
  OnCreate,
  OnUpdate,
  PermanentError,
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

type Spec = { bad?: boolean; size?: number };
type Condition = { type: string; status: string };
type Status = { ticks?: number; handled?: number; observedGeneration?: number; conditions?: Condition[] };
type Recovering = KubeObject<Spec, Status>;

const clock = new ManualClock();

class Handlers {
  @OnCreate()
  @OnUpdate()
  async handle(ctx: HandlerContext<Spec, Status>) {
    if (ctx.spec.bad) throw new PermanentError('the spec is bad');
    ctx.patch.status.handled = ctx.meta.generation;
  }

  @Timer({ intervalSeconds: 60 })
  async tick(ctx: HandlerContext<Spec, Status>) {
    ctx.patch.status.ticks = (ctx.status?.ticks ?? 0) + 1;
  }
}

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Recovering', plural: 'recoverings' })
class RecoveringController extends Handlers {
  @Reconcile()
  async reconcile() {}
}

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Unreconciled', plural: 'unreconcileds' })
class UnreconciledController extends Handlers {}

let ns: TestNamespace;
let kinds: Record<string, ResourceRef>;
let running: RunningOperator;

beforeAll(async () => {
  ns = await createTestNamespace('stalled');
  kinds = {
    Recovering: await ensureTestCrd(ns.client, 'Recovering'),
    Unreconciled: await ensureTestCrd(ns.client, 'Unreconciled'),
  };
  running = await startOperator([RecoveringController, UnreconciledController], {
    namespaces: [ns.name],
    clock,
  });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

const condition = (o: Recovering | undefined, type: string) =>
  o?.status?.conditions?.find((c) => c.type === type);

async function stalledThenTicked(kind: ResourceRef, name: string) {
  await waitForCondition(ns.client, kind, ns.name, name, 'Stalled', 'True');
  const before = (await ns.client.get<Recovering>(kind, ns.name, name)).status?.ticks ?? 0;
  await clock.advance(60_000); // the timer writes status while the object is stalled
  await waitForObject<Recovering>(ns.client, kind, ns.name, name, (o) => (o?.status?.ticks ?? 0) > before, {
    what: `${name}: a timer tick while stalled`,
  });
}

async function recovered(kind: ResourceRef, name: string, generation: number) {
  const ready = await waitForCondition<Recovering>(ns.client, kind, ns.name, name, 'Ready', 'True');
  expect(ready.metadata.generation).toBe(generation);
  expect(condition(ready, 'Stalled')?.status).toBe('False');
  expect(ready.status?.observedGeneration).toBe(generation);
  const stalled = await waitForCondition(ns.client, kind, ns.name, name, 'Stalled', 'False');
  expect(stalled.metadata.generation).toBe(generation);
}

describe.each(['Recovering', 'Unreconciled'])('%s', (kindName) => {
  const kind = () => kinds[kindName] as ResourceRef;
  const name = (what: string) => `${kindName.toLowerCase()}-${what}`;

  test('a create that failed for good recovers after a spec fix', async () => {
    await ns.client.create(kind(), {
      metadata: { name: name('c'), namespace: ns.name },
      spec: { bad: true },
    });
    await stalledThenTicked(kind(), name('c'));
    await ns.client.mergePatch(kind(), ns.name, name('c'), { spec: { bad: false } });
    await recovered(kind(), name('c'), 2);
  });

  test('an update that failed for good recovers after a spec fix', async () => {
    await ns.client.create(kind(), { metadata: { name: name('u'), namespace: ns.name }, spec: { size: 1 } });
    await waitForCondition(ns.client, kind(), ns.name, name('u'), 'Ready', 'True');
    await ns.client.mergePatch(kind(), ns.name, name('u'), { spec: { bad: true, size: 2 } });
    await stalledThenTicked(kind(), name('u'));
    await ns.client.mergePatch(kind(), ns.name, name('u'), { spec: { bad: false, size: 3 } });
    await recovered(kind(), name('u'), 3);
  });

  test('an update that failed for good recovers when the spec goes back to the last handled one', async () => {
    await ns.client.create(kind(), { metadata: { name: name('r'), namespace: ns.name }, spec: { size: 1 } });
    await waitForCondition(ns.client, kind(), ns.name, name('r'), 'Ready', 'True');
    await ns.client.mergePatch(kind(), ns.name, name('r'), { spec: { bad: true } });
    await stalledThenTicked(kind(), name('r'));
    await ns.client.mergePatch(kind(), ns.name, name('r'), { spec: { bad: null } });
    await recovered(kind(), name('r'), 3);
    // The same bad spec again is a new change: its handler runs (and fails) again.
    await ns.client.mergePatch(kind(), ns.name, name('r'), { spec: { bad: true } });
    const again = await waitForCondition(ns.client, kind(), ns.name, name('r'), 'Stalled', 'True');
    expect(again.metadata.generation).toBe(4);
  });
});
