// ctx.patch.metadata is written for every handler kind, as the README promises: here for
// @Reconcile and @Timer (it used to be dropped for both).
import {
  Controller,
  Reconcile,
  Timer,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, waitForObject, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Labelled', plural: 'labelleds' })
class LabelledController {
  @Reconcile()
  async reconcile(ctx: HandlerContext) {
    ctx.patch.metadata.labels['example.org/reconciled'] = 'yes';
  }

  @Timer({ intervalSeconds: 1 })
  async tick(ctx: HandlerContext) {
    ctx.patch.metadata.annotations['example.org/ticked'] = 'yes';
  }
}

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  ns = await createTestNamespace('patchmeta');
  resource = await ensureTestCrd(ns.client, 'Labelled');
  running = await startOperator([LabelledController], { namespaces: [ns.name] });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

test('labels from @Reconcile and annotations from @Timer reach the object', async () => {
  await ns.client.create(resource, { metadata: { name: 'm', namespace: ns.name }, spec: {} });
  const object = await waitForObject<KubeObject>(
    ns.client,
    resource,
    ns.name,
    'm',
    (o) =>
      o?.metadata.labels?.['example.org/reconciled'] === 'yes' &&
      o?.metadata.annotations?.['example.org/ticked'] === 'yes',
    { timeoutMs: 15_000, what: 'the label and the annotation' },
  );
  expect(object).toBeDefined();
});
