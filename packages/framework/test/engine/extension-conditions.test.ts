// Defect 6 (follow-up): a failing @Timer or related handler shows in the object's conditions
// as a change handler's failure does (Ready=False, Reconciling, the handler and its error in
// the message), with a Warning Event and backoff; when it succeeds again the conditions clear.
import {
  Controller,
  CoreResources,
  OnCreate,
  OnSecretChange,
  Timer,
  type Condition,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import {
  startOperator,
  waitForEvent,
  waitForObject,
  type RunningOperator,
} from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';

const broken = { timer: false, related: false };
const attempts = { timer: [] as number[], related: [] as number[] };

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Ailing', plural: 'ailings' })
class AilingController {
  @OnCreate()
  async created() {}

  @Timer({ intervalSeconds: 1, initialDelaySeconds: 0, backoff: { initialSeconds: 1, factor: 2 } })
  async probe(ctx: HandlerContext) {
    if (ctx.name !== 'timed') return;
    attempts.timer.push(Date.now());
    if (broken.timer) throw new Error('the probed service answers 503');
  }

  @OnSecretChange({ refs: (spec: { secret?: string }) => [spec.secret], backoff: { initialSeconds: 1 } })
  async rotated() {
    attempts.related.push(Date.now());
    if (broken.related) throw new Error('cannot log in with the new password');
  }
}

const condition = (o: KubeObject | undefined, type: string) =>
  ((o?.status ?? {}) as { conditions?: Condition[] }).conditions?.find((c) => c.type === type);

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  ns = await createTestNamespace('extcond');
  resource = await ensureTestCrd(ns.client, 'Ailing');
  running = await startOperator([AilingController], { namespaces: [ns.name] });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

test('a failing timer sets Ready=False with its error and a Warning Event, backs off, and clears when it succeeds', async () => {
  await ns.client.create(resource, { metadata: { name: 'timed', namespace: ns.name }, spec: {} });
  await waitForObject(
    ns.client,
    resource,
    ns.name,
    'timed',
    (o) => condition(o, 'Ready')?.status === 'True',
    {
      what: 'timed Ready',
    },
  );
  broken.timer = true;
  const failedAt = Date.now();
  const failed = await waitForObject(
    ns.client,
    resource,
    ns.name,
    'timed',
    (o) => condition(o, 'Ready')?.status === 'False',
    { what: 'Ready=False from the failing timer', timeoutMs: 15_000 },
  );
  expect(condition(failed, 'Ready')).toMatchObject({ reason: 'HandlerRetrying' });
  expect(condition(failed, 'Ready')?.message).toContain('the probed service answers 503');
  expect(condition(failed, 'Ready')?.message).toContain('probe');
  expect(condition(failed, 'Reconciling')).toMatchObject({ status: 'True', reason: 'HandlerRetrying' });
  await waitForEvent(ns.client, ns.name, { regarding: 'timed', reason: 'HandlerRetrying', type: 'Warning' });
  // Backoff, not a hot loop nor the 1 s interval: 1, 2, 4 s... gives at most ~4 attempts in 8 s.
  await new Promise((r) => setTimeout(r, Math.max(0, failedAt + 8000 - Date.now())));
  const failing = attempts.timer.filter((at) => at >= failedAt && at <= failedAt + 8000);
  expect(failing.length).toBeGreaterThanOrEqual(2);
  expect(failing.length).toBeLessThanOrEqual(5);
  broken.timer = false;
  const healed = await waitForObject(
    ns.client,
    resource,
    ns.name,
    'timed',
    (o) => condition(o, 'Ready')?.status === 'True',
    { what: 'Ready=True once the timer succeeds', timeoutMs: 30_000 },
  );
  expect(condition(healed, 'Reconciling')?.status).toBe('False');
});

test('a failing related handler sets Ready=False with its error and a Warning Event, and clears when it succeeds', async () => {
  const secret = (password: string) => ({
    metadata: { name: 'pw', namespace: ns.name },
    data: { password: Buffer.from(password).toString('base64') },
  });
  await ns.client.create(CoreResources.secret, secret('one'));
  await ns.client.create(resource, { metadata: { name: 'rel', namespace: ns.name }, spec: { secret: 'pw' } });
  await waitForObject(
    ns.client,
    resource,
    ns.name,
    'rel',
    (o) =>
      condition(o, 'Ready')?.status === 'True' &&
      o?.metadata.annotations?.['operators.fedoraproject.org/related'] !== undefined,
    { what: 'rel Ready with the secret hash stored' },
  );
  broken.related = true;
  await ns.client.mergePatch(CoreResources.secret, ns.name, 'pw', secret('two'));
  const failed = await waitForObject(
    ns.client,
    resource,
    ns.name,
    'rel',
    (o) => condition(o, 'Ready')?.status === 'False',
    { what: 'Ready=False from the failing related handler', timeoutMs: 15_000 },
  );
  expect(condition(failed, 'Ready')).toMatchObject({ reason: 'HandlerRetrying' });
  expect(condition(failed, 'Ready')?.message).toContain('cannot log in with the new password');
  expect(condition(failed, 'Ready')?.message).toContain('rotated');
  await waitForEvent(ns.client, ns.name, { regarding: 'rel', reason: 'HandlerRetrying', type: 'Warning' });
  broken.related = false;
  await waitForObject(ns.client, resource, ns.name, 'rel', (o) => condition(o, 'Ready')?.status === 'True', {
    what: 'Ready=True once the related handler succeeds',
    timeoutMs: 30_000,
  });
});
