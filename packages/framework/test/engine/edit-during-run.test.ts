// A label edited while @Reconcile runs is seen by a next run of @Reconcile. The run's status
// write then meets a 409; the committer retries it on the fresh object (the edit touched
// nothing it writes), and the engine must not take that fresh object, label included, for
// what @Reconcile has handled.
import {
  Controller,
  Reconcile,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, waitForObject, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';

type Status = { round?: string };
const seen: string[] = [];
let gate: Promise<void> | undefined;

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Edited', plural: 'editeds' })
class EditedController {
  @Reconcile()
  async reconcile(ctx: HandlerContext<unknown, Status>) {
    const round = ctx.meta.labels?.round ?? '';
    seen.push(round);
    if (gate) await gate;
    ctx.patch.status.round = round;
  }
}

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  ns = await createTestNamespace('edited');
  resource = await ensureTestCrd(ns.client, 'Edited');
  running = await startOperator([EditedController], { namespaces: [ns.name] });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

test('a label edited while @Reconcile runs gets a run of its own', async () => {
  let release = () => {};
  gate = new Promise<void>((resolve) => (release = resolve));
  await ns.client.create(resource, { metadata: { name: 'e', namespace: ns.name }, spec: {} });
  await eventually(() => seen.length === 1, { what: '@Reconcile to start' });
  await ns.client.mergePatch(resource, ns.name, 'e', { metadata: { labels: { round: '1' } } });
  gate = undefined;
  release();
  const done = await waitForObject<KubeObject<unknown, Status>>(
    ns.client,
    resource,
    ns.name,
    'e',
    (o) => o?.status?.round === '1',
    { what: "@Reconcile's run on the edited label", timeoutMs: 15_000 },
  );
  expect(done?.metadata.labels?.round).toBe('1');
  expect(seen).toEqual(['', '1']);
});
