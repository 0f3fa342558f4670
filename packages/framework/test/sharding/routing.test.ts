// Two sharded replicas in this process: each caches only its own primaries, and every kind
// of secondary wake-up (a referenced Secret, an owned child, a @Watches object) runs the
// handler of an object on its owner only. By namespace, a namespace's objects stay together.
import {
  Controller,
  CoreResources,
  OnCreate,
  OnSecretChange,
  Owns,
  Reconcile,
  Watches,
  type HandlerContext,
  type KubeObject,
  type OperatorOptions,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';

const SHARD = 'shard.operators.fedoraproject.org/routed';
type Spec = { secretName: string };
type Run = { replica: string; object: string; why: 'create' | 'related' | 'reconcile' };
const runs: Run[] = [];

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Routed', plural: 'routeds' })
@Owns({ apiVersion: 'v1', kind: 'ConfigMap' })
@Watches({
  apiVersion: 'v1',
  kind: 'Service',
  // Names every object of the namespace, ours or not: routing must drop the others.
  map: (service) =>
    Array.from({ length: 10 }, (_, i) => ({ namespace: service.metadata.namespace, name: `obj-${i}` })),
})
class RoutedController {
  constructor(private readonly replica: string) {}

  private record(ctx: HandlerContext<Spec>, why: Run['why']) {
    runs.push({ replica: this.replica, object: `${ctx.namespace}/${ctx.name}`, why });
  }

  @OnCreate()
  async created(ctx: HandlerContext<Spec>) {
    this.record(ctx, 'create');
  }

  @OnSecretChange({ refs: (spec: Spec) => [spec.secretName] })
  async rotated(ctx: HandlerContext<Spec>) {
    this.record(ctx, 'related');
  }

  @Reconcile()
  async child(ctx: HandlerContext<Spec>) {
    this.record(ctx, 'reconcile');
    await ctx.apply(CoreResources.configMap, { metadata: { name: `${ctx.name}-child` }, data: {} });
  }
}

let ns: TestNamespace;
let resource: ResourceRef;
const replicas: RunningOperator[] = [];
const service: ResourceRef = {
  group: '',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  namespaced: true,
};

beforeAll(async () => {
  ns = await createTestNamespace('routing');
  resource = await ensureTestCrd(ns.client, 'Routed');
});
afterAll(async () => {
  await Promise.all(replicas.splice(0).map((r) => r.stop()));
  await ns.dispose();
});

async function startReplicas(namespaces: string[], key: 'uid' | 'namespace', ids = ['r-a', 'r-b']) {
  for (const identity of ids) {
    const options: OperatorOptions = {
      name: 'routed',
      namespaces,
      sharding: {
        shards: ids.length,
        key,
        identity,
        leaseNamespace: ns.name,
        leaseDurationSeconds: 8,
        renewDeadlineSeconds: 6,
        retryPeriodSeconds: 1,
      },
    };
    replicas.push(await startOperator([[RoutedController, identity]], options));
  }
}

const cached = async (r: RunningOperator) =>
  (await r.operator.metrics.registry.getSingleMetric('operator_objects_cached')?.get())?.values[0]?.value;

/** Runs of `why` so far, once every object in `owners` has one; each must be on its owner. */
async function runsOnOwners(owners: Map<string, string>, why: Run['why'], after: number) {
  const mine = () => runs.slice(after).filter((r) => r.why === why);
  await eventually(() => [...owners.keys()].every((o) => mine().some((r) => r.object === o)), {
    what: `a ${why} run of every object`,
  });
  expect(mine().filter((r) => owners.get(r.object) !== r.replica)).toEqual([]);
}

test('caches hold only their share; related, owned and watched wake-ups run on the owner only', async () => {
  await startReplicas([ns.name], 'uid');
  await ns.client.create(CoreResources.secret, {
    metadata: { name: 's1', namespace: ns.name },
    stringData: { password: 'one' },
  });
  for (let i = 0; i < 10; i++)
    await ns.client.create(resource, {
      metadata: { name: `obj-${i}`, namespace: ns.name },
      spec: { secretName: 's1' },
    });
  const owners = await eventually(
    async () => {
      const { items } = await ns.client.list<KubeObject>(resource, ns.name);
      const children = await ns.client.list<KubeObject>(CoreResources.configMap, ns.name);
      if (children.items.filter((c) => c.metadata.name?.endsWith('-child')).length < 10) return undefined;
      return new Map(items.map((o) => [`${ns.name}/${o.metadata.name}`, o.metadata.labels?.[SHARD] ?? '']));
    },
    { what: 'every object assigned and its child made' },
  );
  const perReplica = (id: string) => [...owners.values()].filter((o) => o === id).length;
  expect(perReplica('r-a') + perReplica('r-b')).toBe(10);
  expect(perReplica('r-a')).toBeGreaterThan(0);
  expect(perReplica('r-b')).toBeGreaterThan(0);
  expect(await cached(replicas[0] as RunningOperator)).toBe(perReplica('r-a'));
  expect(await cached(replicas[1] as RunningOperator)).toBe(perReplica('r-b'));
  await runsOnOwners(owners, 'create', 0);
  // The sharder's metrics: its members, and the objects per shard.
  const values = async (name: string) =>
    (
      await Promise.all(
        replicas.map(
          async (r) => (await r.operator.metrics.registry.getSingleMetric(name)?.get())?.values ?? [],
        ),
      )
    ).flat();
  expect((await values('operator_shard_sharder')).map((v) => v.value).sort()).toEqual([0, 1]);
  expect((await values('operator_shard_members')).find((v) => v.value > 0)?.value).toBe(2);
  const perShard = Object.fromEntries(
    (await values('operator_shard_objects')).map((v) => [v.labels.shard, v.value]),
  );
  expect(perShard).toEqual({ 'r-a': perReplica('r-a'), 'r-b': perReplica('r-b') });

  let mark = runs.length;
  await ns.client.mergePatch(CoreResources.secret, ns.name, 's1', { stringData: { password: 'two' } });
  await runsOnOwners(owners, 'related', mark);

  mark = runs.length;
  for (let i = 0; i < 10; i++) await ns.client.delete(CoreResources.configMap, ns.name, `obj-${i}-child`);
  await runsOnOwners(owners, 'reconcile', mark);

  mark = runs.length;
  await ns.client.create(service, {
    metadata: { name: 'trigger', namespace: ns.name },
    spec: { ports: [{ port: 80 }] },
  });
  await runsOnOwners(owners, 'reconcile', mark);
  await Promise.all(replicas.splice(0).map((r) => r.stop()));
}, 120_000);

test("by namespace, each namespace's objects all go to one replica", async () => {
  const others = await Promise.all([1, 2, 3].map(() => createTestNamespace('routing-ns')));
  try {
    const namespaces = [ns.name, ...others.map((o) => o.name)];
    await startReplicas(namespaces, 'namespace', ['r-c', 'r-d']);
    for (const namespace of namespaces)
      for (let i = 0; i < 4; i++)
        await ns.client.create(resource, {
          metadata: { name: `by-ns-${i}`, namespace },
          spec: { secretName: 'none' },
        });
    const owners = await eventually(
      async () => {
        const all = await Promise.all(namespaces.map((n) => ns.client.list<KubeObject>(resource, n)));
        const byNs = all.map(({ items }) =>
          items.filter((o) => o.metadata.name?.startsWith('by-ns-')).map((o) => o.metadata.labels?.[SHARD]),
        );
        return byNs.every((owners) => owners.length === 4 && owners.every(Boolean)) ? byNs : undefined;
      },
      { what: 'every object assigned' },
    );
    for (const inNamespace of owners) expect(new Set(inNamespace).size).toBe(1);
  } finally {
    await Promise.all(replicas.splice(0).map((r) => r.stop()));
    await Promise.all(others.map((o) => o.dispose()));
  }
}, 120_000);
