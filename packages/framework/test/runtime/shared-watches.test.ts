// Shared informers (issue 15, defects 4 and 10): a kind in a namespace is watched and cached
// once, however many controllers and uses (primary, @Owns, @Watches, related) read it; owned
// and watched kinds are cached without their content; a referenced object's earlier state is
// kept only until the handlers that reference it have run.
import {
  Controller,
  CoreResources,
  OnSecretChange,
  Owns,
  Reconcile,
  Watches,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import { openWatches, startOperator, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';

type Spec = { secret?: string };
const rotations: { owner: string; old?: string; new?: string }[] = [];
const password = (o: KubeObject | undefined) => {
  const value = (o as { data?: Record<string, string> } | undefined)?.data?.password;
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString();
};
const bulk = 'x'.repeat(50_000);

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Sharer', plural: 'sharers' })
@Owns({ apiVersion: 'v1', kind: 'ConfigMap' })
@Owns({ apiVersion: 'v1', kind: 'Service' })
@Watches({ apiVersion: 'test.fedora-operators/v1', kind: 'Peer', map: (_peer, ours) => ours })
class SharerController {
  @OnSecretChange({ refs: (spec: Spec) => [spec.secret] })
  async rotated(ctx: HandlerContext<Spec>) {
    const olds = ctx.old as Record<string, KubeObject | undefined>;
    const news = ctx.new as Record<string, KubeObject | undefined>;
    for (const name of Object.keys(news))
      rotations.push({ owner: ctx.name, old: password(olds[name]), new: password(news[name]) });
  }

  @Reconcile()
  async children(ctx: HandlerContext<Spec>) {
    await ctx.apply(CoreResources.configMap, { metadata: { name: `${ctx.name}-child` }, data: { bulk } });
  }
}

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Peer', plural: 'peers' })
@Owns({ apiVersion: 'v1', kind: 'ConfigMap' })
@Owns({ apiVersion: 'v1', kind: 'Service' })
@Watches({ apiVersion: 'test.fedora-operators/v1', kind: 'Sharer', map: (_sharer, ours) => ours })
@Watches({ apiVersion: 'v1', kind: 'Secret', map: () => [] })
class PeerController {
  @OnSecretChange({ refs: (spec: Spec) => [spec.secret] })
  async rotated() {}

  @Reconcile()
  async reconcile() {}
}

const namespaces: TestNamespace[] = [];
let sharers: ResourceRef;
let peers: ResourceRef;
let running: RunningOperator;

const metricsText = async () => running.operator.metrics.registry.metrics();

beforeAll(async () => {
  for (const name of ['shared-a', 'shared-b']) namespaces.push(await createTestNamespace(name));
  const { client } = namespaces[0] as TestNamespace;
  sharers = await ensureTestCrd(client, 'Sharer');
  peers = await ensureTestCrd(client, 'Peer');
  running = await startOperator([SharerController, PeerController], {
    namespaces: namespaces.map((ns) => ns.name),
  });
});
afterAll(async () => {
  await running?.stop();
  for (const ns of namespaces) await ns.dispose();
});

test('each kind is watched once per namespace, whichever controllers and uses read it', async () => {
  const counts = await openWatches(running.operator);
  const kinds = ['sharers', 'peers', 'secrets', 'configmaps', 'services'];
  const expected = new Map<string, number>();
  for (const ns of namespaces)
    for (const kind of kinds)
      expected.set(
        `${kind}.${({ sharers: sharers.group, peers: peers.group } as Record<string, string>)[kind] ?? 'core'} ${ns.name}`,
        1,
      );
  expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(expected));
});

test('owned and watched kinds are cached without their content', async () => {
  const ns = namespaces[0] as TestNamespace;
  await ns.client.create(sharers, { metadata: { name: 'bulky', namespace: ns.name }, spec: {} });
  const scope = { resource: CoreResources.configMap, namespace: ns.name };
  const cached = await eventually(
    () => running.operator.informers.get(scope)?.cache.get(ns.name, 'bulky-child'),
    { what: 'the owned ConfigMap in the cache' },
  );
  // The child carries 50 KB of data; its kind is owned by both controllers, read by none: none of it is kept.
  const child = await ns.client.get<KubeObject>(CoreResources.configMap, ns.name, 'bulky-child');
  expect((child.data as { bulk: string }).bulk).toBe(bulk);
  expect(cached.data).toBeUndefined();
  expect(cached.metadata.ownerReferences?.[0]?.name).toBe('bulky');
  expect(JSON.stringify(cached).length).toBeLessThan(2_000);
  // A Sharer is the primary kind of one controller and watched by the other: it stays whole.
  const sharer = running.operator.informers.get({ resource: sharers, namespace: ns.name });
  expect(sharer?.cache.get(ns.name, 'bulky')?.spec).toEqual({});
});

test("a referenced object's earlier state is kept only until its handlers ran on the change", async () => {
  const ns = namespaces[1] as TestNamespace;
  const secret = (name: string, value: string) => ({
    metadata: { name, namespace: ns.name },
    data: { password: Buffer.from(value).toString('base64') },
  });
  await ns.client.create(CoreResources.secret, secret('db', 'one'));
  await ns.client.create(sharers, { metadata: { name: 'user', namespace: ns.name }, spec: { secret: 'db' } });
  await eventually(
    async () =>
      (await ns.client.get<KubeObject>(sharers, ns.name, 'user')).metadata.annotations?.[
        'operators.fedoraproject.org/related'
      ] !== undefined,
    { what: 'the Sharer to record its reference' },
  );
  await ns.client.apply(CoreResources.secret, secret('db', 'two'), { fieldManager: 'tests', force: true });
  await eventually(() => rotations.find((r) => r.owner === 'user' && r.new === 'two'), {
    what: 'the related handler to run on the rotation',
  });
  expect(rotations.find((r) => r.new === 'two')?.old).toBe('one');
  // Secrets nobody references come and go; the referenced one goes too.
  for (let i = 0; i < 20; i++) {
    await ns.client.create(CoreResources.secret, secret(`other-${i}`, bulk));
    await ns.client.delete(CoreResources.secret, ns.name, `other-${i}`);
  }
  await ns.client.delete(CoreResources.secret, ns.name, 'db');
  await eventually(() => rotations.find((r) => r.owner === 'user' && r.new === undefined), {
    what: 'the related handler to run on the deletion',
  });
  const kept = async () => {
    const text = await metricsText();
    return Number(/operator_related_previous_states\{controller="SharerController"\} (\d+)/.exec(text)?.[1]);
  };
  await eventually(async () => (await kept()) === 0, { what: 'no earlier state kept', timeoutMs: 10_000 });
});
