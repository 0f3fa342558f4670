// What the engine stores on an object stays small whatever the object holds: a 300 KB spec is
// handled once and the object says what could not be stored (no 422 loop); a ConfigMap
// controller keeps no copy of the data (only a hash); a @Reconcile-only controller stores no
// diff-base copy; a huge error message is truncated in progress and conditions.
import {
  Controller,
  OnCreate,
  OnUpdate,
  Reconcile,
  TemporaryError,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, waitForObject, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { engineCaughtUp, trackEngineRuns } from '../../../../test/support/engine-progress.ts';
import { eventually } from '../../../../test/support/eventually.ts';

type Condition = { type: string; status: string; reason: string; message: string };
type Status = { seenLength?: number; conditions?: Condition[] };
type Bulky = KubeObject<{ blob?: string; failHuge?: boolean }, Status>;

const runs: string[] = [];
const count = (entry: string) => runs.filter((r) => r === entry).length;

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Bulky', plural: 'bulkys' })
class BulkyController {
  @OnCreate()
  async created(ctx: HandlerContext<Bulky['spec'], Status>) {
    runs.push(`create:${ctx.name}`);
    if (ctx.spec?.failHuge) throw new TemporaryError(`broken: ${'x'.repeat(300_000)}`, 60);
    ctx.patch.status.seenLength = ctx.spec?.blob?.length ?? 0;
  }

  @OnUpdate()
  async updated(ctx: HandlerContext<Bulky['spec'], Status>) {
    runs.push(`update:${ctx.name}`);
    ctx.patch.status.seenLength = ctx.spec?.blob?.length ?? 0;
  }
}

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Leveled', plural: 'leveleds' })
class LeveledController {
  @Reconcile()
  async reconcile(ctx: HandlerContext) {
    runs.push(`reconcile:${ctx.name}`);
  }
}

const configMaps: ResourceRef = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  namespaced: true,
};

@Controller({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', statusSubresource: false })
class ConfigMapController {
  @OnCreate({ labels: { bounded: 'yes' } })
  async created(ctx: HandlerContext) {
    runs.push(`cm-create:${ctx.name}`);
  }

  @OnUpdate({ labels: { bounded: 'yes' } })
  async updated(ctx: HandlerContext) {
    runs.push(`cm-update:${ctx.name}`);
  }
}

let ns: TestNamespace;
let bulky: ResourceRef;
let leveled: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  trackEngineRuns();
  ns = await createTestNamespace('bounded');
  bulky = await ensureTestCrd(ns.client, 'Bulky');
  leveled = await ensureTestCrd(ns.client, 'Leveled');
  running = await startOperator([BulkyController, LeveledController, ConfigMapController], {
    namespaces: [ns.name],
  });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

const largestAnnotation = (o: KubeObject | undefined) =>
  Math.max(0, ...Object.values(o?.metadata.annotations ?? {}).map((v) => v.length));
const condition = (o: Bulky | undefined, type: string) => o?.status?.conditions?.find((c) => c.type === type);

test('a 300 KB spec is handled once; the object reports what could not be stored', async () => {
  const blob = 'b'.repeat(300_000);
  await ns.client.create(bulky, { metadata: { name: 'big', namespace: ns.name }, spec: { blob } });
  const ready = await waitForObject<Bulky>(
    ns.client,
    bulky,
    ns.name,
    'big',
    (o) => condition(o, 'Ready')?.status === 'True',
    { timeoutMs: 20_000 },
  );
  expect(ready?.status?.seenLength).toBe(300_000);
  expect(largestAnnotation(ready)).toBeLessThan(4096);
  const stored = condition(ready, 'StateStored');
  expect(stored?.status).toBe('False');
  expect(stored?.message).toMatch(/last handled/);
  await engineCaughtUp(ns.client, bulky, ns.name, 'big');
  expect(count('create:big')).toBe(1);

  // A change is still detected (from the hash) and handled once.
  await ns.client.mergePatch(bulky, ns.name, 'big', { spec: { blob: 'c'.repeat(300_000) } });
  await eventually(() => count('update:big') === 1, { what: 'the update handler' });
  await engineCaughtUp(ns.client, bulky, ns.name, 'big');
  expect(count('update:big')).toBe(1);
  expect(count('create:big')).toBe(1);
});

test('a huge error message is truncated where it is stored', async () => {
  await ns.client.create(bulky, { metadata: { name: 'loud', namespace: ns.name }, spec: { failHuge: true } });
  const failing = await waitForObject<Bulky>(
    ns.client,
    bulky,
    ns.name,
    'loud',
    (o) => condition(o, 'Reconciling')?.reason === 'HandlerRetrying',
    { timeoutMs: 20_000 },
  );
  expect(largestAnnotation(failing)).toBeLessThan(4096);
  expect(condition(failing, 'Ready')?.message.length).toBeLessThan(4096);
  await engineCaughtUp(ns.client, bulky, ns.name, 'loud');
  expect(count('create:loud')).toBe(1); // the 60 s delay holds; no write loop re-runs it
});

test('a @Reconcile-only controller stores no copy of the object', async () => {
  await ns.client.create(leveled, {
    metadata: { name: 'lvl', namespace: ns.name },
    spec: { blob: 'l'.repeat(200_000) },
  });
  const done = await waitForObject<Bulky>(
    ns.client,
    leveled,
    ns.name,
    'lvl',
    (o) => condition(o, 'Ready')?.status === 'True',
  );
  expect(largestAnnotation(done)).toBeLessThan(200);
});

test('a ConfigMap controller with 300 KB of data leaves no annotation over 4 KB', async () => {
  await ns.client.create(configMaps, {
    metadata: { name: 'cm', namespace: ns.name, labels: { bounded: 'yes' } },
    data: { big: 'd'.repeat(300_000) },
  });
  await eventually(() => count('cm-create:cm') === 1, { what: 'the ConfigMap create handler' });
  await engineCaughtUp(ns.client, configMaps, ns.name, 'cm');
  const cm = await ns.client.get<KubeObject>(configMaps, ns.name, 'cm');
  expect(largestAnnotation(cm)).toBeLessThan(4096);
  expect(JSON.stringify(cm.metadata.annotations ?? {})).not.toContain('ddddd');
  expect(count('cm-create:cm')).toBe(1);

  await ns.client.mergePatch(configMaps, ns.name, 'cm', { data: { big: 'e'.repeat(300_000) } });
  await eventually(() => count('cm-update:cm') === 1, { what: 'the ConfigMap update handler' });
  await engineCaughtUp(ns.client, configMaps, ns.name, 'cm');
  expect(count('cm-update:cm')).toBe(1);
});
