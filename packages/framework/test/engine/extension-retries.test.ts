// Defect 6: a failing @Timer or related handler is retried like any handler: ctx.retry counts
// the attempts, the delay grows (backoff), `retries` is honoured; a failed timer run is not
// stamped as done (the timer does not wait a whole interval to try again).
import {
  Controller,
  CoreResources,
  OnCreate,
  OnSecretChange,
  Timer,
  type HandlerContext,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { engineCaughtUp, trackEngineRuns } from '../../../../test/support/engine-progress.ts';
import { eventually } from '../../../../test/support/eventually.ts';

const attempts = new Map<string, { at: number; retry: number }[]>();
const note = (what: string, retry: number) =>
  attempts.set(what, [...(attempts.get(what) ?? []), { at: Date.now(), retry }]);

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Flaky', plural: 'flakys' })
class FlakyController {
  @OnCreate()
  async created() {}

  @Timer({ intervalSeconds: 60, initialDelaySeconds: 0, backoff: { initialSeconds: 1, factor: 2 } })
  async tick(ctx: HandlerContext) {
    note(`timer:${ctx.name}`, ctx.retry);
    throw new Error('the thing the timer checks is down');
  }

  @OnSecretChange({
    refs: (spec: { secret?: string }) => [spec.secret],
    retries: 2,
    backoff: { initialSeconds: 0.5 },
  })
  async rotated(ctx: HandlerContext) {
    note(`related:${ctx.name}`, ctx.retry);
    throw new Error('cannot use the new password');
  }
}

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  trackEngineRuns();
  ns = await createTestNamespace('extretry');
  resource = await ensureTestCrd(ns.client, 'Flaky');
  running = await startOperator([FlakyController], { namespaces: [ns.name] });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

test('a failing timer is retried with growing delays and a counted retry, not after a whole interval', async () => {
  await ns.client.create(resource, { metadata: { name: 't', namespace: ns.name }, spec: {} });
  await eventually(() => (attempts.get('timer:t')?.length ?? 0) >= 4, {
    what: 'four timer attempts',
    timeoutMs: 20_000,
  });
  const runs = attempts.get('timer:t') ?? [];
  expect(runs.slice(0, 4).map((r) => r.retry)).toEqual([0, 1, 2, 3]);
  const gaps = runs.slice(1, 4).map((r, i) => r.at - (runs[i] as { at: number }).at);
  expect(gaps[2] as number).toBeGreaterThan(gaps[0] as number);
});

test('a failing related handler honours its retries and backoff', async () => {
  const secret = (password: string) => ({
    metadata: { name: 's', namespace: ns.name },
    data: { password: Buffer.from(password).toString('base64') },
  });
  await ns.client.create(CoreResources.secret, secret('one'));
  await ns.client.create(resource, { metadata: { name: 'r', namespace: ns.name }, spec: { secret: 's' } });
  const relatedHashes = async () =>
    (await ns.client.get(resource, ns.name, 'r')).metadata.annotations?.[
      'operators.fedoraproject.org/related'
    ];
  const hashesBefore = await eventually(relatedHashes, { what: 'the secret hash to be stored' });
  await ns.client.mergePatch(CoreResources.secret, ns.name, 's', {
    data: { password: Buffer.from('two').toString('base64') },
  });
  await eventually(() => (attempts.get('related:r')?.length ?? 0) >= 3, {
    what: 'three attempts',
    timeoutMs: 20_000,
  });
  // Giving up on the change stores the new hash (a retry keeps the old one): once that is
  // written and handled, no retry of the change is planned any more.
  await eventually(async () => (await relatedHashes()) !== hashesBefore, {
    what: 'the related handler to be given up on',
    timeoutMs: 20_000,
  });
  await engineCaughtUp(ns.client, resource, ns.name, 'r');
  // retries: 2 means three attempts (0, 1, 2), then it gives up for this change.
  expect((attempts.get('related:r') ?? []).map((r) => r.retry)).toEqual([0, 1, 2]);
});
