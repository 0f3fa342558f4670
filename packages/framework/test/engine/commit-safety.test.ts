// What a user loses when the engine writes in the wrong order or without a precondition:
// - a crash between the status write and the "handled" record must never leave the change
//   recorded without its status (the handler runs again instead);
// - a writer whose view is stale (a deposed leader, a slow run) must fail, not overwrite what
//   another writer recorded meanwhile;
// - an object deleted while its create handler runs gets its delete handler once;
// - conditions another manager sets while a handler runs survive the engine's status write.
import { jest } from '@jest/globals';
import {
  Controller,
  KubeClient,
  OnCreate,
  OnDelete,
  Store,
  Timer,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, waitForObject, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { engineCaughtUp, engineDoneWith, trackEngineRuns } from '../../../../test/support/engine-progress.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { RECORD_FIELD, storedDiffBase } from '../../../../test/support/handled-record.ts';

type Spec = { n: number; slowMs?: number };
type Status = { seen?: number | string; conditions?: { type: string; status: string }[] };
type Committed = KubeObject<Spec, Status>;

const runs: string[] = [];
/** Handlers of these names wait until released. */
const gates = new Map<string, Promise<void>>();

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Committed', plural: 'committeds' })
class CommittedController {
  @OnCreate()
  async created(ctx: HandlerContext<Spec, Status>) {
    runs.push(`create:${ctx.name}`);
    await gates.get(ctx.name);
    if (ctx.spec.slowMs) await new Promise((r) => setTimeout(r, ctx.spec.slowMs));
    ctx.patch.status.seen = ctx.spec.n;
  }

  @OnDelete()
  async deleted(ctx: HandlerContext<Spec, Status>) {
    runs.push(`delete:${ctx.name}`);
  }
}

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Leveler', plural: 'levelers' })
class LevelerController {
  @Timer({ intervalSeconds: 60, initialDelaySeconds: 0 })
  async tick(ctx: HandlerContext<Spec, Status>) {
    runs.push(`tick:${ctx.name}`);
    await gates.get(ctx.name);
    ctx.patch.status.seen = ctx.spec.n;
  }
}

let ns: TestNamespace;
let resource: ResourceRef;
let levelers: ResourceRef;

beforeAll(async () => {
  trackEngineRuns();
  ns = await createTestNamespace('commit');
  resource = await ensureTestCrd(ns.client, 'Committed');
  levelers = await ensureTestCrd(ns.client, 'Leveler');
});
afterAll(async () => {
  await ns.dispose();
});

const count = (entry: string) => runs.filter((r) => r === entry).length;

test('a crash right after the handler, before its status is stored, re-runs it: status is never lost', async () => {
  let first: RunningOperator | undefined;
  let crashed = false;
  const realPatch = KubeClient.prototype.mergePatch;
  // The first operator "dies" at its first status write for this object: the request fails
  // and the operator is stopped at once, as a kill -9 would leave it.
  const patches = jest.spyOn(KubeClient.prototype, 'mergePatch').mockImplementation(function (
    this: KubeClient,
    ...args: Parameters<KubeClient['mergePatch']>
  ) {
    const [, , name, , subresource] = args;
    if (!crashed && name === 'crash' && subresource === 'status') {
      crashed = true;
      void first?.stop();
      return Promise.reject(new Error('connection reset (simulated crash)'));
    }
    return realPatch.apply(this, args) as ReturnType<KubeClient['mergePatch']>;
  });
  try {
    first = await startOperator([CommittedController], { namespaces: [ns.name], gracePeriodSeconds: 0.1 });
    await ns.client.create(resource, { metadata: { name: 'crash', namespace: ns.name }, spec: { n: 7 } });
    await eventually(() => crashed, { what: 'the simulated crash' });
    await first.stop();
  } finally {
    patches.mockRestore();
  }
  const second = await startOperator([CommittedController], { namespaces: [ns.name] });
  try {
    await waitForObject<Committed>(
      ns.client,
      resource,
      ns.name,
      'crash',
      (o) => o?.status?.seen === 7 && storedDiffBase(o) !== undefined,
      { timeoutMs: 15_000, what: 'the status the create handler wrote, and the change recorded' },
    );
    // Once by the operator that "died" before storing its status, once more by the next one.
    expect(count('create:crash')).toBe(2);
  } finally {
    await second.stop();
  }
});

test('a stale writer fails instead of overwriting what another writer recorded meanwhile', async () => {
  let release = () => {};
  gates.set('stale', new Promise<void>((resolve) => (release = resolve)));
  const running = await startOperator([CommittedController], { namespaces: [ns.name] });
  try {
    await ns.client.create(resource, { metadata: { name: 'stale', namespace: ns.name }, spec: { n: 1 } });
    await eventually(() => count('create:stale') === 1, { what: 'the create handler to start' });
    // Meanwhile another writer (a new leader, say) handles the same change and records it.
    const current = await ns.client.get<Committed>(resource, ns.name, 'stale');
    const recorded = {
      [RECORD_FIELD]: { 'last-handled-configuration': JSON.stringify({ spec: current.spec }) },
    };
    await ns.client.mergePatch(
      resource,
      ns.name,
      'stale',
      { status: { seen: 'the other writer', ...recorded } },
      'status',
    );
    release();
    // The stale run's result must not land on top of the newer record: checked once the engine
    // has finished a run on the newest state (after the stale run, which it follows).
    await engineCaughtUp(ns.client, resource, ns.name, 'stale');
    const object = await ns.client.get<Committed>(resource, ns.name, 'stale');
    expect(object.status?.seen).toBe('the other writer');
  } finally {
    gates.delete('stale');
    await running.stop();
  }
});

test('an object deleted while its create handler runs gets its delete handler exactly once', async () => {
  const running = await startOperator([CommittedController], { namespaces: [ns.name] });
  try {
    const names = ['del-0', 'del-1', 'del-2', 'del-3'];
    for (const name of names)
      await ns.client.create(resource, {
        metadata: { name, namespace: ns.name },
        spec: { n: 1, slowMs: 800 },
      });
    await eventually(() => names.every((n) => count(`create:${n}`) === 1), { what: 'the create handlers' });
    for (const name of names) await ns.client.delete(resource, ns.name, name);
    for (const name of names)
      await waitForObject(ns.client, resource, ns.name, name, (o) => o === undefined, {
        what: `${name} to be gone`,
      });
    for (const name of names) await engineDoneWith(ns.name, name);
    expect(names.map((n) => count(`delete:${n}`))).toEqual(names.map(() => 1));
  } finally {
    await running.stop();
  }
});

test('a run never starts from a cached state older than the engine`s own last write', async () => {
  // A watch that lags: the cache answers with each object's state as it was 1.5 s ago (the
  // oldest it has, for a younger object), as a slow or reconnecting watch does.
  const LAG_MS = 1500;
  const history = new Map<string, { at: number; object: KubeObject }[]>();
  const realSet = Store.prototype.set;
  const realGet = Store.prototype.getByKey;
  const setSpy = jest.spyOn(Store.prototype, 'set').mockImplementation(function (this: Store, object) {
    const key = `${object.metadata.namespace}/${object.metadata.name}`;
    if (object.metadata.name?.startsWith('lag-'))
      history.set(key, [...(history.get(key) ?? []), { at: Date.now(), object }]);
    return realSet.call(this, object);
  });
  const getSpy = jest.spyOn(Store.prototype, 'getByKey').mockImplementation(function (this: Store, key) {
    const current = realGet.call(this, key);
    const seen = history.get(key);
    if (!current || !seen) return current;
    const old = seen.filter((h) => h.at <= Date.now() - LAG_MS);
    return (old.at(-1) ?? seen[0])?.object;
  });
  const running = await startOperator([CommittedController], { namespaces: [ns.name] });
  try {
    const names = ['lag-0', 'lag-1', 'lag-2'];
    for (const name of names)
      await ns.client.create(resource, {
        metadata: { name, namespace: ns.name },
        spec: { n: 2, slowMs: 200 },
      });
    for (const name of names)
      await waitForObject<Committed>(ns.client, resource, ns.name, name, (o) => o?.status?.seen === 2);
    await new Promise((r) => setTimeout(r, LAG_MS + 1000));
    expect(names.map((n) => count(`create:${n}`))).toEqual(names.map(() => 1));
  } finally {
    setSpy.mockRestore();
    getSpy.mockRestore();
    await running.stop();
  }
});

test('a condition another manager sets while a handler runs survives the engine`s status write', async () => {
  let release = () => {};
  gates.set('shared', new Promise<void>((resolve) => (release = resolve)));
  const running = await startOperator([LevelerController], { namespaces: [ns.name] });
  try {
    await ns.client.create(levelers, { metadata: { name: 'shared', namespace: ns.name }, spec: { n: 3 } });
    await eventually(() => count('tick:shared') >= 1, { what: 'the timer to start' });
    const theirs = {
      type: 'BackupDone',
      status: 'True',
      reason: 'Done',
      message: 'by another controller',
      lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    await ns.client.mergePatch(levelers, ns.name, 'shared', { status: { conditions: [theirs] } }, 'status');
    release();
    const object = await waitForObject<Committed>(
      ns.client,
      levelers,
      ns.name,
      'shared',
      (o) => o?.status?.seen === 3,
    );
    expect(object?.status?.conditions?.map((c) => c.type)).toContain('BackupDone');
  } finally {
    gates.delete('shared');
    await running.stop();
  }
});
