// create / update / delete against the real apiserver: each cause runs its handlers the right
// number of times, with the right diff; status and metadata writes are not updates; deletion
// waits for the delete handler through the finalizer.
import {
  Controller,
  OnCreate,
  OnDelete,
  OnUpdate,
  type Diff,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, waitForObject, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { engineCaughtUp, trackEngineRuns } from '../../../../test/support/engine-progress.ts';
import { eventually } from '../../../../test/support/eventually.ts';

type Spec = { size: number; color?: string };
type Status = { conditions?: { type: string; status: string }[]; seenSize?: number };

const calls: { cause: string; name: string; diff?: Diff }[] = [];

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Lifecycle', plural: 'lifecycles' })
class LifecycleController {
  @OnCreate()
  async created(ctx: HandlerContext<Spec, Status>) {
    calls.push({ cause: 'create', name: ctx.name });
    ctx.patch.status.seenSize = ctx.spec.size;
  }

  @OnUpdate()
  async updated(ctx: HandlerContext<Spec, Status>) {
    calls.push({ cause: 'update', name: ctx.name, diff: ctx.diff });
    ctx.patch.status.seenSize = ctx.spec.size;
  }

  @OnDelete()
  async deleted(ctx: HandlerContext<Spec, Status>) {
    calls.push({ cause: 'delete', name: ctx.name });
  }
}

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  trackEngineRuns();
  ns = await createTestNamespace('lifecycle');
  resource = await ensureTestCrd(ns.client, 'Lifecycle');
  running = await startOperator([LifecycleController], { namespaces: [ns.name], name: 'lifecycle-test' });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

const count = (cause: string, name: string) =>
  calls.filter((c) => c.cause === cause && c.name === name).length;
const ready = (o: KubeObject<Spec, Status> | undefined) =>
  o?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

test('create runs the create handler exactly once and reports Ready', async () => {
  await ns.client.create(resource, { metadata: { name: 'one', namespace: ns.name }, spec: { size: 1 } });
  const object = await waitForObject<KubeObject<Spec, Status>>(ns.client, resource, ns.name, 'one', ready);
  expect(object?.status?.seenSize).toBe(1);
  expect(object?.metadata.finalizers).toContain('operators.fedoraproject.org/finalizer');
  // The writes the engine made (finalizer, diff-base, status) must not trigger anything more:
  // checked once the engine has handled their echoes.
  await engineCaughtUp(ns.client, resource, ns.name, 'one');
  expect(count('create', 'one')).toBe(1);
  expect(count('update', 'one')).toBe(0);
});

test('status and metadata changes are not updates; a spec change is, with its diff', async () => {
  await ns.client.mergePatch(resource, ns.name, 'one', { metadata: { labels: { touched: 'yes' } } });
  await ns.client.mergePatch(resource, ns.name, 'one', { status: { extra: 'x' } }, 'status');
  await ns.client.mergePatch(resource, ns.name, 'one', { spec: { size: 2, color: 'red' } });
  await eventually(() => count('update', 'one') >= 1, { what: 'the update handler' });
  await waitForObject<KubeObject<Spec, Status>>(
    ns.client,
    resource,
    ns.name,
    'one',
    (o) => o?.status?.seenSize === 2,
  );
  await engineCaughtUp(ns.client, resource, ns.name, 'one');
  const updates = calls.filter((c) => c.cause === 'update' && c.name === 'one');
  expect(updates).toHaveLength(1);
  expect(updates[0]?.diff).toEqual([
    { op: 'add', path: ['spec', 'color'], old: undefined, new: 'red' },
    { op: 'change', path: ['spec', 'size'], old: 1, new: 2 },
  ]);
});

test('delete runs the delete handler, then the finalizer goes and the object is gone', async () => {
  await ns.client.delete(resource, ns.name, 'one');
  await waitForObject(ns.client, resource, ns.name, 'one', (o) => o === undefined, {
    what: 'the object to be gone',
  });
  expect(count('delete', 'one')).toBe(1);
});
