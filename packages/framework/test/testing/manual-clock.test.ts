// The testing kit's ManualClock, as a user's suite uses it: an operator run with
// `clock: new ManualClock(...)` against the kit's embedded control plane (a real apiserver),
// where an hourly @Timer and the retry backoff of a change handler and of a related handler
// happen when the test advances time, and not before, without the test sleeping.
// "Not before" is shown with a positive marker: a later run of the same object (its update
// handler's status) proves the engine looked at the timer at that time and left it alone; and
// each handler records the clock time it ran at, which must be exactly its due time.
// Handlers read the same clock through ctx.clock, so the times they write (an age, a deadline)
// are the test's manual time, not the wall clock.
import {
  Controller,
  CoreResources,
  Daemon,
  OnConfigMapChange,
  OnCreate,
  OnUpdate,
  TemporaryError,
  Timer,
  sleep,
  type HandlerContext,
  type KubeObject,
} from '@fedora-operators/framework';
import {
  ManualClock,
  startOperator,
  startTestCluster,
  waitForCondition,
  waitForEvent,
  waitForObject,
  type RunningOperator,
  type TestCluster,
} from '@fedora-operators/framework/testing';
import { eventually } from '../../../../test/support/eventually.ts';

const HOUR = 3_600_000;
const start = Date.parse('2026-01-01T00:00:00Z');
const clock = new ManualClock(start);

type Spec = { round: number; failures?: number; config?: string };
type Status = { seenGeneration?: number; ticks?: number; handledAt?: string; tickedAt?: string };
type Hourly = KubeObject<Spec, Status>;

const hourlies = {
  group: 'clock.fedora-operators',
  version: 'v1',
  kind: 'Hourly',
  plural: 'hourlies',
  namespaced: true,
};
/** Clock times (ms) at which each object's handlers ran. */
const ticks = new Map<string, number[]>();
const attempts = new Map<string, number[]>();
const configChanges = new Map<string, number[]>();
/** Times (ctx.clock) at which object `t`'s daemon woke from its 10-minute sleeps. */
const daemonWakes: number[] = [];
let daemonStartedAt: number | undefined;
const record = (map: Map<string, number[]>, name: string) =>
  map.set(name, [...(map.get(name) ?? []), clock.now()]);

@Controller({
  ...hourlies,
  crd: {
    spec: {
      type: 'object',
      required: ['round'],
      properties: { round: { type: 'integer' }, failures: { type: 'integer' }, config: { type: 'string' } },
    },
    status: {
      type: 'object',
      properties: {
        seenGeneration: { type: 'integer' },
        ticks: { type: 'integer' },
        handledAt: { type: 'string' },
        tickedAt: { type: 'string' },
      },
    },
  },
})
class HourlyController {
  /** Fails `spec.failures` times, each asking to be retried in 10 minutes. */
  @OnCreate()
  @OnUpdate()
  async seen(ctx: HandlerContext<Spec, Status>) {
    record(attempts, ctx.name);
    if (ctx.retry < (ctx.spec.failures ?? 0)) throw new TemporaryError('not yet', 600);
    ctx.patch.status.seenGeneration = ctx.meta.generation;
    ctx.patch.status.handledAt = new Date(ctx.clock.now()).toISOString();
  }

  /** Fails the first time for each change, asking to be retried in 5 minutes. */
  @OnConfigMapChange<Hourly>({ refs: (spec: Spec) => [spec.config] })
  async configChanged(ctx: HandlerContext<Spec, Status>) {
    record(configChanges, ctx.name);
    if (ctx.retry === 0) throw new TemporaryError('not yet', 300);
  }

  @Timer({ intervalSeconds: 3600 })
  async hourly(ctx: HandlerContext<Spec, Status>) {
    record(ticks, ctx.name);
    ctx.patch.status.ticks = (ticks.get(ctx.name) ?? []).length;
    ctx.patch.status.tickedAt = new Date(ctx.clock.now()).toISOString();
  }

  /** Wakes every 10 minutes of the operator's clock, read and slept on through ctx.clock. */
  @Daemon({ when: (o: Hourly) => o.metadata.name === 't' })
  async sleeper(ctx: HandlerContext<Spec, Status>) {
    daemonStartedAt = ctx.clock.now(); // set in the same tick as its first sleep's timer
    while (!ctx.signal.aborted) {
      await sleep(ctx.clock, 600_000, ctx.signal);
      if (!ctx.signal.aborted) daemonWakes.push(ctx.clock.now());
    }
  }
}

let cluster: TestCluster;
let running: RunningOperator;
let namespace: string;

beforeAll(async () => {
  cluster = await startTestCluster({ embedded: true, log: () => {} });
  await cluster.installCrds([HourlyController]);
  namespace = (await cluster.createNamespace('clock')).name;
  running = await startOperator([HourlyController], {
    kubeconfig: cluster.kubeconfig,
    namespaces: [namespace],
    clock,
  });
});
afterAll(async () => {
  await running?.stop();
  await cluster?.stop();
});

const read = (name: string, predicate: (o: Hourly | undefined) => boolean, what: string) =>
  waitForObject<Hourly>(cluster.client, hourlies, namespace, name, predicate, { what, timeoutMs: 20_000 });

test('an hourly @Timer fires when the clock is advanced by an hour, and not before', async () => {
  const createdAt = clock.now();
  await cluster.client.create(hourlies, { metadata: { name: 'h', namespace }, spec: { round: 1 } });
  await read('h', (o) => o?.status?.seenGeneration === 1, 'the create handler`s status');

  await clock.advance(HOUR - 1);
  // Positive marker: a run of this object at HOUR - 1 (the update handler's status) looked at
  // the timer too, and found it not due.
  await cluster.client.mergePatch(hourlies, namespace, 'h', { spec: { round: 2 } });
  const before = await read('h', (o) => o?.status?.seenGeneration === 2, 'the update handler`s status');
  expect(before?.status?.ticks).toBeUndefined();
  expect(ticks.get('h')).toBeUndefined();

  await clock.advance(1);
  await read('h', (o) => o?.status?.ticks === 1, 'the first tick');
  expect(ticks.get('h')).toEqual([createdAt + HOUR]);

  // The next one an hour after the first, from the run's stamp on the object.
  await clock.advance(HOUR);
  await read('h', (o) => o?.status?.ticks === 2, 'the second tick');
  expect(ticks.get('h')).toEqual([createdAt + HOUR, createdAt + 2 * HOUR]);
});

test('a handler`s retry waits for its backoff on the clock, then succeeds', async () => {
  await cluster.client.create(hourlies, {
    metadata: { name: 'r', namespace },
    spec: { round: 1, failures: 2 },
  });
  await waitForCondition(cluster.client, hourlies, namespace, 'r', 'Reconciling', 'True', {
    timeoutMs: 20_000,
  });
  const [first] = attempts.get('r') ?? [];
  expect(attempts.get('r')).toHaveLength(1);

  // Each retry is due 10 minutes after the failure before it, and runs exactly then: one run
  // early (or on real time) would record another clock time, or none.
  for (const attempt of [2, 3]) {
    await clock.advance(599_999);
    await clock.advance(1);
    await eventually(() => attempts.get('r')?.length === attempt, { what: `attempt ${attempt}` });
  }
  const done = await read(
    'r',
    (o) => o?.status?.seenGeneration === 1,
    'the handler`s success after two retries',
  );
  expect(done?.metadata.generation).toBe(1);
  expect(attempts.get('r')).toEqual([first, (first as number) + 600_000, (first as number) + 1_200_000]);
  await waitForCondition(cluster.client, hourlies, namespace, 'r', 'Ready', 'True', { timeoutMs: 20_000 });
});

test('a related handler`s retry waits for its backoff on the clock', async () => {
  const configMap = { metadata: { name: 'settings', namespace }, data: { level: '1' } };
  await cluster.client.create(CoreResources.configMap, configMap);
  await cluster.client.create(hourlies, {
    metadata: { name: 'c', namespace },
    spec: { round: 1, config: 'settings' },
  });
  await read('c', (o) => o?.status?.seenGeneration === 1, 'the first run (the ConfigMap`s hash recorded)');
  await cluster.client.mergePatch(CoreResources.configMap, namespace, 'settings', { data: { level: '2' } });
  await waitForEvent(cluster.client, namespace, { regarding: 'c', reason: 'HandlerRetrying' });
  const [first] = configChanges.get('c') ?? [];
  expect(configChanges.get('c')).toHaveLength(1);
  await clock.advance(299_999);
  await clock.advance(1);
  await eventually(() => configChanges.get('c')?.length === 2, { what: 'the retry' });
  expect(configChanges.get('c')).toEqual([first, (first as number) + 300_000]);
});

test('handlers read the manual time through ctx.clock', async () => {
  // The clock is far from the wall clock here (2026-01-01 plus the hours advanced above).
  const createdAt = clock.now();
  expect(Math.abs(createdAt - Date.now())).toBeGreaterThan(HOUR);
  await cluster.client.create(hourlies, { metadata: { name: 't', namespace }, spec: { round: 1 } });
  const created = await read('t', (o) => o?.status?.seenGeneration === 1, 'the create handler`s status');
  expect(created?.status?.handledAt).toBe(new Date(createdAt).toISOString());
  await eventually(() => daemonStartedAt !== undefined, { what: 'the daemon`s start' });
  expect(daemonStartedAt).toBe(createdAt);

  await clock.advance(HOUR);
  const ticked = await read('t', (o) => o?.status?.ticks !== undefined, 'the timer`s status');
  expect(ticked?.status?.tickedAt).toBe(new Date(createdAt + HOUR).toISOString());
  // The daemon started with the object (the clock stood still) and slept on the same clock.
  expect(daemonWakes).toEqual([1, 2, 3, 4, 5, 6].map((k) => createdAt + k * 600_000));
});
