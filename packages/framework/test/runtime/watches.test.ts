// @Watches: objects of another kind that an object neither owns nor names wake it through a map
// function, like controller-runtime's Watches. Here an Aggregator counts the ConfigMaps labelled
// with its name; with no resync, only the watch can tell it that one came or went.
import {
  Controller,
  CoreResources,
  Reconcile,
  Watches,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, waitForObject, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { engineIdle, trackEngineRuns } from '../../../../test/support/engine-progress.ts';

const groupLabel = 'test.fedora-operators/group';
const mapCalls: string[] = [];
let reconciles = 0;

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Aggregator', plural: 'aggregators' })
@Watches({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  map: (cm: KubeObject, ours: readonly KubeObject[]) => {
    mapCalls.push(`${cm.metadata.name}:${ours.map((o) => o.metadata.name).join(',')}`);
    const group = cm.metadata.labels?.[groupLabel];
    return group ? [{ namespace: cm.metadata.namespace, name: group }] : [];
  },
})
class AggregatorController {
  @Reconcile()
  async count(ctx: HandlerContext<unknown, { members?: string[] }>) {
    reconciles++;
    const list = await ctx.client.list(CoreResources.configMap, ctx.namespace, {
      labelSelector: `${groupLabel}=${ctx.name}`,
    });
    ctx.patch.status.members = list.items.map((cm) => cm.metadata.name ?? '').sort();
  }
}

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  trackEngineRuns();
  ns = await createTestNamespace('watches');
  resource = await ensureTestCrd(ns.client, 'Aggregator');
  running = await startOperator([AggregatorController], { namespaces: [ns.name], resyncSeconds: 0 });
  for (const name of ['red', 'blue'])
    await ns.client.create(resource, { metadata: { name, namespace: ns.name }, spec: {} });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

const members = (name: string, expected: string[]) =>
  waitForObject<KubeObject<unknown, { members?: string[] }>>(
    ns.client,
    resource,
    ns.name,
    name,
    (o) => JSON.stringify(o?.status?.members) === JSON.stringify(expected),
    { timeoutMs: 15_000 },
  );

const configMap = (name: string, group: string) => ({
  metadata: { name, namespace: ns.name, labels: { [groupLabel]: group } },
  data: {},
});

test('a watched object that appears, changes or goes wakes exactly the objects its map names', async () => {
  await members('red', []);
  await members('blue', []);
  await ns.client.create(CoreResources.configMap, configMap('one', 'red'));
  await members('red', ['one']);
  // The map saw both Aggregators of the namespace (its `ours`).
  expect(
    mapCalls
      .find((c) => c.startsWith('one:'))
      ?.split(':')[1]
      ?.split(',')
      .sort(),
  ).toEqual(['blue', 'red']);
  // Relabelled: the map now names blue, which counts it; red learns of it at its next wake.
  await ns.client.mergePatch(CoreResources.configMap, ns.name, 'one', {
    metadata: { labels: { [groupLabel]: 'blue' } },
  });
  await members('blue', ['one']);
  await ns.client.create(CoreResources.configMap, configMap('two', 'red'));
  await members('red', ['two']);
  await ns.client.delete(CoreResources.configMap, ns.name, 'two');
  await members('red', []);
});

test('a ConfigMap of no group wakes nobody', async () => {
  const before = reconciles;
  await ns.client.create(CoreResources.configMap, {
    metadata: { name: 'loner', namespace: ns.name },
    data: {},
  });
  // Positive marker: a ConfigMap of blue's group, created after it. Its event comes after the
  // loner's on the same watch, so a wake-up the loner caused would be queued before blue's; once
  // blue counted it and no run of either Aggregator is under way, only blue's run has happened.
  await ns.client.create(CoreResources.configMap, configMap('after-loner', 'blue'));
  await members('blue', ['after-loner', 'one']);
  await engineIdle(ns.name, 'red');
  await engineIdle(ns.name, 'blue');
  expect(mapCalls.some((c) => c.startsWith('loner:'))).toBe(true);
  expect(reconciles - before).toBe(1);
});
