// Defect 16, paths no test covered: @OnEvent (raw events, through the executor), @OnField in the
// engine (only when its field changed, with old/new), @OnConfigMapChange, successEvents, and
// readyCondition: 'manual' (the engine never sets Ready=True itself).
import {
  Controller,
  CoreResources,
  OnConfigMapChange,
  OnCreate,
  OnEvent,
  OnField,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, waitForObject, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { engineCaughtUp, trackEngineRuns } from '../../../../test/support/engine-progress.ts';
import { eventually } from '../../../../test/support/eventually.ts';

type Spec = { size?: number; color?: string; config?: string };
type Condition = { type: string; status: string; reason: string };
const events: string[] = [];
const fields: { old: unknown; new: unknown }[] = [];
const configs: string[] = [];

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Pathy', plural: 'pathys' })
class PathyController {
  @OnCreate()
  async created() {}

  @OnEvent()
  async raw(ctx: HandlerContext<Spec> & { type: string }) {
    events.push(`${ctx.type}:${ctx.name}`);
  }

  @OnField('spec.size')
  async sized(ctx: HandlerContext<Spec>) {
    fields.push({ old: ctx.old, new: ctx.new });
  }

  @OnConfigMapChange({ refs: (spec: Spec) => [spec.config] })
  async configured(ctx: HandlerContext<Spec>) {
    configs.push(ctx.name);
  }
}

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  trackEngineRuns();
  ns = await createTestNamespace('paths');
  resource = await ensureTestCrd(ns.client, 'Pathy');
  running = await startOperator([PathyController], {
    namespaces: [ns.name],
    successEvents: true,
    readyCondition: 'manual',
  });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

test('@OnEvent sees raw events; @OnField runs only for its field; @OnConfigMapChange for its ConfigMap', async () => {
  await ns.client.create(CoreResources.configMap, {
    metadata: { name: 'cfg', namespace: ns.name },
    data: { a: '1' },
  });
  await ns.client.create(resource, {
    metadata: { name: 'p', namespace: ns.name },
    spec: { size: 1, color: 'red', config: 'cfg' },
  });
  await eventually(() => events.includes('ADDED:p'), { what: 'the ADDED event' });
  await eventually(() => fields.length === 1, { what: 'the field handler on create' });
  await eventually(
    async () =>
      (await ns.client.get(resource, ns.name, 'p')).metadata.annotations?.[
        'operators.fedoraproject.org/related'
      ],
    { what: 'the ConfigMap hash to be stored' },
  );
  await ns.client.mergePatch(resource, ns.name, 'p', { spec: { color: 'blue' } });
  await ns.client.mergePatch(resource, ns.name, 'p', { spec: { size: 2 } });
  await eventually(() => fields.length === 2, { what: 'the field handler on the size change' });
  expect(fields[1]).toEqual({ old: 1, new: 2 });
  await ns.client.mergePatch(CoreResources.configMap, ns.name, 'cfg', { data: { a: '2' } });
  await eventually(() => configs.length === 1, { what: 'the ConfigMap handler' });
  await engineCaughtUp(ns.client, resource, ns.name, 'p');
  expect(fields).toHaveLength(2); // the color change did not run it
  expect(configs).toEqual(['p']);
  expect(events.filter((e) => e === 'MODIFIED:p').length).toBeGreaterThan(0);
});

test('successEvents posts a Normal Event per handler; readyCondition manual leaves Ready to the handlers', async () => {
  const object = await waitForObject<KubeObject<Spec, { conditions?: Condition[] }>>(
    ns.client,
    resource,
    ns.name,
    'p',
    (o) => o?.status?.conditions?.some((c) => c.type === 'Reconciling') ?? false,
  );
  expect(object?.status?.conditions?.find((c) => c.type === 'Ready')).toBeUndefined();
  const normal = await eventually(
    async () => {
      const list = await ns.client.list<KubeObject & { type?: string; reason?: string }>(
        CoreResources.event,
        ns.name,
      );
      const ours = list.items.filter((e) => e.type === 'Normal' && e.reason === 'HandlerSucceeded');
      return ours.length > 0 ? ours : undefined;
    },
    { what: 'a HandlerSucceeded Event' },
  );
  expect(normal.length).toBeGreaterThan(0);
});
