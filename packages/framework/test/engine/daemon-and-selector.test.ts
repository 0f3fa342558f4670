// Defect 7: a daemon that returns is done for its object: later runs (spec changes) do not
// start it again. Defect 9: an object that leaves the controller's label selector loses our
// finalizer, so deleting it does not hang in Terminating.
import {
  Controller,
  Daemon,
  OnCreate,
  OnDelete,
  OnUpdate,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, waitForObject, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { engineCaughtUp, trackEngineRuns } from '../../../../test/support/engine-progress.ts';
import { eventually } from '../../../../test/support/eventually.ts';

const runs: string[] = [];
const count = (entry: string) => runs.filter((r) => r === entry).length;

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'OneShot', plural: 'oneshots' })
class OneShotController {
  @OnCreate()
  @OnUpdate()
  async changed() {}

  @Daemon()
  async once(ctx: HandlerContext) {
    runs.push(`daemon:${ctx.name}`);
  }
}

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Selected', plural: 'selecteds' })
class SelectedController {
  @OnCreate({ labels: { team: 'ours' } })
  async created(ctx: HandlerContext) {
    runs.push(`create:${ctx.name}`);
  }

  @OnDelete({ labels: { team: 'ours' } })
  async deleted(ctx: HandlerContext) {
    runs.push(`delete:${ctx.name}`);
  }
}

const FINALIZER = 'operators.fedoraproject.org/finalizer';
let ns: TestNamespace;
let oneShots: ResourceRef;
let selected: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  trackEngineRuns();
  ns = await createTestNamespace('daemonsel');
  oneShots = await ensureTestCrd(ns.client, 'OneShot');
  selected = await ensureTestCrd(ns.client, 'Selected');
  running = await startOperator([OneShotController, SelectedController], { namespaces: [ns.name] });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

test('a daemon that returned is not started again by later changes', async () => {
  await ns.client.create(oneShots, { metadata: { name: 'd', namespace: ns.name }, spec: { n: 0 } });
  await eventually(() => count('daemon:d') === 1, { what: 'the daemon' });
  for (let n = 1; n <= 3; n++) {
    await ns.client.mergePatch(oneShots, ns.name, 'd', { spec: { n } });
    await engineCaughtUp(ns.client, oneShots, ns.name, 'd'); // each change handled, one by one
  }
  expect(count('daemon:d')).toBe(1);
});

test('an object that leaves the label selector can be deleted (our finalizer is removed)', async () => {
  await ns.client.create(selected, {
    metadata: { name: 's', namespace: ns.name, labels: { team: 'ours' } },
    spec: {},
  });
  await waitForObject<KubeObject>(ns.client, selected, ns.name, 's', (o) =>
    Boolean(o?.metadata.finalizers?.includes(FINALIZER)),
  );
  await ns.client.mergePatch(selected, ns.name, 's', { metadata: { labels: { team: 'theirs' } } });
  await ns.client.delete(selected, ns.name, 's');
  await waitForObject(ns.client, selected, ns.name, 's', (o) => o === undefined, {
    what: 'the object to be gone',
    timeoutMs: 15_000,
  });
});
