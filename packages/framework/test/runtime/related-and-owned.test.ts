// Referenced Secrets wake exactly the objects that reference them (and follow spec edits);
// only a hash of a Secret ever lands on the object. Deleting an owned child wakes the owner,
// whose reconcile puts it back.
import {
  Controller,
  CoreResources,
  OnCreate,
  OnSecretChange,
  OnUpdate,
  Owns,
  Reconcile,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { engineIdle, trackEngineRuns } from '../../../../test/support/engine-progress.ts';
import { eventually } from '../../../../test/support/eventually.ts';

type Spec = { secretName: string };
const rotations: { owner: string; secret: string; old?: string; new?: string }[] = [];
const decode = (secret: KubeObject | undefined) => {
  const password = (secret as { data?: Record<string, string> } | undefined)?.data?.password;
  return password === undefined ? undefined : Buffer.from(password, 'base64').toString();
};

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Consumer', plural: 'consumers' })
@Owns({ apiVersion: 'v1', kind: 'ConfigMap' })
class ConsumerController {
  @OnCreate()
  @OnUpdate()
  async sync() {}

  @OnSecretChange({ refs: (spec: Spec) => [spec.secretName] })
  async rotated(ctx: HandlerContext<Spec>) {
    const olds = ctx.old as Record<string, KubeObject | undefined>;
    const news = ctx.new as Record<string, KubeObject | undefined>;
    for (const name of Object.keys(news)) {
      rotations.push({ owner: ctx.name, secret: name, old: decode(olds[name]), new: decode(news[name]) });
    }
  }

  @Reconcile()
  async child(ctx: HandlerContext<Spec>) {
    await ctx.apply(CoreResources.configMap, {
      metadata: { name: `${ctx.name}-child` },
      data: { owner: ctx.name },
    });
  }
}

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator;
const secret = (name: string, password: string) => ({
  metadata: { name, namespace: ns.name },
  data: { password: Buffer.from(password).toString('base64') },
});

beforeAll(async () => {
  trackEngineRuns();
  ns = await createTestNamespace('related');
  resource = await ensureTestCrd(ns.client, 'Consumer');
  await ns.client.create(CoreResources.secret, secret('s1', 'one'));
  await ns.client.create(CoreResources.secret, secret('s2', 'two'));
  running = await startOperator([ConsumerController], { namespaces: [ns.name] });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

const settled = (name: string) =>
  eventually(
    async () => {
      const o = await ns.client.get<KubeObject>(resource, ns.name, name);
      return o.metadata.annotations?.['operators.fedoraproject.org/related'] !== undefined;
    },
    { what: `${name} to record its references` },
  );

test('changing a referenced Secret calls only the objects that reference it; spec edits move the index', async () => {
  await ns.client.create(resource, {
    metadata: { name: 'a', namespace: ns.name },
    spec: { secretName: 's1' },
  });
  await ns.client.create(resource, {
    metadata: { name: 'b', namespace: ns.name },
    spec: { secretName: 's2' },
  });
  await settled('a');
  await settled('b');

  await ns.client.replace(CoreResources.secret, { ...secret('s1', 'one-rotated') });
  await eventually(() => rotations.some((r) => r.owner === 'a'), { what: "a's rotation handler" });
  expect(rotations).toEqual([{ owner: 'a', secret: 's1', old: 'one', new: 'one-rotated' }]);

  const a = await ns.client.get<KubeObject>(resource, ns.name, 'a');
  const stored = a.metadata.annotations?.['operators.fedoraproject.org/related'] ?? '';
  expect(stored).not.toContain('one-rotated');
  expect(stored).not.toContain(Buffer.from('one-rotated').toString('base64'));

  await ns.client.mergePatch(resource, ns.name, 'a', { spec: { secretName: 's2' } });
  await eventually(
    async () =>
      (
        (await ns.client.get<KubeObject>(resource, ns.name, 'a')).metadata.annotations?.[
          'operators.fedoraproject.org/related'
        ] ?? ''
      ).includes('s2'),
    { what: 'a to reference s2' },
  );
  rotations.length = 0;
  await ns.client.replace(CoreResources.secret, { ...secret('s1', 'one-again') });
  await ns.client.replace(CoreResources.secret, { ...secret('s2', 'two-rotated') });
  await eventually(() => rotations.length >= 2, { what: 'both owners of s2 to be called' });
  // s1's change came first in the Secrets' watch: a wake-up it caused would have run before,
  // or in, the runs that called the owners of s2; once those finished, nothing more is due.
  await engineIdle(ns.name, 'a');
  await engineIdle(ns.name, 'b');
  expect(rotations.map((r) => `${r.owner}:${r.secret}:${r.new}`).sort()).toEqual([
    'a:s2:two-rotated',
    'b:s2:two-rotated',
  ]);
});

test('deleting an owned child wakes the owner, whose reconcile recreates it', async () => {
  await eventually(
    async () => (await ns.client.find(CoreResources.configMap, ns.name, 'a-child')) !== undefined,
    {
      what: 'the child ConfigMap',
    },
  );
  const before = await ns.client.get<KubeObject>(CoreResources.configMap, ns.name, 'a-child');
  await ns.client.delete(CoreResources.configMap, ns.name, 'a-child');
  const recreated = await eventually(
    async () => {
      const child = await ns.client.find<KubeObject>(CoreResources.configMap, ns.name, 'a-child');
      return child && child.metadata.uid !== before.metadata.uid ? child : undefined;
    },
    { what: 'the child to be recreated', timeoutMs: 15_000 },
  );
  expect(recreated.metadata.ownerReferences?.[0]).toMatchObject({
    kind: 'Consumer',
    name: 'a',
    controller: true,
  });
});
