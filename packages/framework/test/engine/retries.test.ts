// The error model against the real apiserver: TemporaryError delays, PermanentError in status
// and Events, and handler timeouts.
import {
  Controller,
  OnCreate,
  PermanentError,
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

type Spec = { mode: 'flaky' | 'broken' | 'slow' | 'explained' };
type Condition = { type: string; status: string; reason: string; message: string };
type Status = { conditions?: Condition[] };

const attempts = new Map<string, number[]>();

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Retrier', plural: 'retriers' })
class RetrierController {
  @OnCreate({ timeoutSeconds: 0.5, errors: 'permanent' })
  async create(ctx: HandlerContext<Spec, Status>) {
    const times = [...(attempts.get(ctx.name) ?? []), Date.now()];
    attempts.set(ctx.name, times);
    if (ctx.spec.mode === 'flaky' && times.length < 3)
      throw new TemporaryError(`not yet (${times.length})`, 1);
    if (ctx.spec.mode === 'broken') throw new PermanentError('the spec names a hub that does not exist');
    if (ctx.spec.mode === 'slow') await new Promise((r) => setTimeout(r, 3000));
    if (ctx.spec.mode === 'explained') {
      ctx.condition({
        type: 'Ready',
        status: 'False',
        reason: 'HubUnavailable',
        message: 'koji-hub does not answer',
      });
      throw new TemporaryError('hub down', 60);
    }
  }
}

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  trackEngineRuns();
  ns = await createTestNamespace('retries');
  resource = await ensureTestCrd(ns.client, 'Retrier');
  running = await startOperator([RetrierController], { namespaces: [ns.name], name: 'retries-test' });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

const condition = (o: KubeObject<Spec, Status> | undefined, type: string) =>
  o?.status?.conditions?.find((c) => c.type === type);

test('TemporaryError twice, then success: three runs, the asked delay apart', async () => {
  await ns.client.create(resource, {
    metadata: { name: 'flaky', namespace: ns.name },
    spec: { mode: 'flaky' },
  });
  await waitForObject<KubeObject<Spec, Status>>(
    ns.client,
    resource,
    ns.name,
    'flaky',
    (o) => condition(o, 'Ready')?.status === 'True',
    {
      timeoutMs: 20_000,
    },
  );
  const times = attempts.get('flaky') ?? [];
  expect(times).toHaveLength(3);
  expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(950);
  expect((times[2] ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(950);
});

test('PermanentError stops retries and shows in status and in an Event', async () => {
  await ns.client.create(resource, {
    metadata: { name: 'broken', namespace: ns.name },
    spec: { mode: 'broken' },
  });
  const object = await waitForObject<KubeObject<Spec, Status>>(
    ns.client,
    resource,
    ns.name,
    'broken',
    (o) => condition(o, 'Stalled')?.status === 'True',
  );
  expect(condition(object, 'Stalled')?.message).toContain('the spec names a hub that does not exist');
  expect(condition(object, 'Ready')).toMatchObject({ status: 'False', reason: 'HandlerFailed' });
  const events = await eventually(
    async () => {
      const list = await ns.client.list<
        KubeObject & { reason?: string; note?: string; regarding?: { name?: string } }
      >(
        { group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', namespaced: true },
        ns.name,
      );
      const mine = list.items.filter((e) => e.regarding?.name === 'broken' && e.reason === 'HandlerFailed');
      return mine.length ? mine : undefined;
    },
    { what: 'a HandlerFailed Event' },
  );
  expect(events[0]?.note).toContain('the spec names a hub that does not exist');
  await engineCaughtUp(ns.client, resource, ns.name, 'broken');
  expect(attempts.get('broken')).toHaveLength(1);
});

test('a handler that runs past timeoutSeconds fails with a timeout', async () => {
  await ns.client.create(resource, {
    metadata: { name: 'slow', namespace: ns.name },
    spec: { mode: 'slow' },
  });
  const object = await waitForObject<KubeObject<Spec, Status>>(
    ns.client,
    resource,
    ns.name,
    'slow',
    (o) => condition(o, 'Stalled')?.status === 'True',
  );
  expect(condition(object, 'Stalled')?.message).toContain('timed out after 0.5s');
  expect(attempts.get('slow')).toHaveLength(1);
});

test('a Ready=False the handler set before a TemporaryError is kept, with the retry in Reconciling', async () => {
  await ns.client.create(resource, {
    metadata: { name: 'explained', namespace: ns.name },
    spec: { mode: 'explained' },
  });
  const object = await waitForObject<KubeObject<Spec, Status>>(
    ns.client,
    resource,
    ns.name,
    'explained',
    (o) => condition(o, 'Reconciling')?.status === 'True',
  );
  expect(condition(object, 'Ready')).toMatchObject({
    status: 'False',
    reason: 'HubUnavailable',
    message: 'koji-hub does not answer',
  });
  expect(condition(object, 'Reconciling')).toMatchObject({ reason: 'HandlerRetrying' });
  expect(condition(object, 'Reconciling')?.message).toContain('hub down');
});
