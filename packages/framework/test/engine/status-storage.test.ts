// The record of handled changes kept in the status (the default for a custom resource with a
// status subresource): a handled create costs ONE request, the /status patch that carries the
// handler's status and the record together; an object an older version recorded in
// annotations is read, not handled again; a CRD whose status schema drops the field gets the
// record in annotations instead of a handler re-run loop.
import { jest } from '@jest/globals';
import {
  Controller,
  KubeClient,
  OnCreate,
  OnUpdate,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, waitForObject } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { engineCaughtUp, trackEngineRuns } from '../../../../test/support/engine-progress.ts';
import { DIFF_BASE_ANNOTATION, RECORD_FIELD } from '../../../../test/support/handled-record.ts';

type Spec = { n: number };
type Status = { seen?: number; old?: unknown; conditions?: { type: string; status: string }[] } & Record<
  string,
  unknown
>;
type Stored = KubeObject<Spec, Status>;

const runs: string[] = [];

class Handlers {
  @OnCreate()
  async created(ctx: HandlerContext<Spec, Status>) {
    runs.push(`create:${ctx.name}`);
    ctx.patch.status.seen = ctx.spec.n;
  }

  @OnUpdate()
  async updated(ctx: HandlerContext<Spec, Status>) {
    runs.push(`update:${ctx.name}`);
    ctx.patch.status.seen = ctx.spec.n;
    ctx.patch.status.old = ctx.old;
  }
}

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Recorded', plural: 'recordeds' })
class RecordedController extends Handlers {}

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Closed', plural: 'closeds' })
class ClosedController extends Handlers {}

let ns: TestNamespace;
let resource: ResourceRef;
let closed: ResourceRef;

beforeAll(async () => {
  trackEngineRuns();
  ns = await createTestNamespace('status-storage');
  resource = await ensureTestCrd(ns.client, 'Recorded');
  // A status schema that does not declare the framework's field: the apiserver prunes it.
  closed = await ensureTestCrd(ns.client, 'Closed', 'test.fedora-operators', {
    type: 'object',
    properties: {
      seen: { type: 'integer' },
      observedGeneration: { type: 'integer' },
      conditions: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    },
  });
});
afterAll(async () => {
  await ns.dispose();
});

const count = (entry: string) => runs.filter((r) => r === entry).length;
const ready = (o: Stored | undefined) =>
  o?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const record = (o: Stored | undefined) => o?.status?.[RECORD_FIELD] as Record<string, string> | undefined;

test('a handled create costs one request: the status and the record in one /status patch', async () => {
  const patches = jest.spyOn(KubeClient.prototype, 'mergePatch');
  const running = await startOperator([RecordedController], { namespaces: [ns.name] });
  const names = ['one-0', 'one-1', 'one-2', 'one-3', 'one-4'];
  try {
    for (const name of names)
      await ns.client.create(resource, { metadata: { name, namespace: ns.name }, spec: { n: 1 } });
    for (const name of names) {
      const o = await waitForObject<Stored>(ns.client, resource, ns.name, name, ready);
      expect(o?.status?.seen).toBe(1);
      expect(record(o)?.['last-handled-configuration']).toBe('{"spec":{"n":1}}');
      expect(o?.metadata.annotations?.[DIFF_BASE_ANNOTATION]).toBeUndefined();
    }
    for (const name of names) await engineCaughtUp(ns.client, resource, ns.name, name);
    const writes = patches.mock.calls.filter((call) => names.includes(call[2] as string));
    expect(writes.map((call) => [call[2], call[4]]).sort()).toEqual(names.map((n) => [n, 'status']));
    expect(names.map((n) => count(`create:${n}`))).toEqual(names.map(() => 1));
  } finally {
    patches.mockRestore();
    await running.stop();
  }
});

test('an object recorded in annotations by an older version is not handled again, and its next change migrates', async () => {
  // Handled by a version that kept the record in annotations (what `stateStorage: 'annotations'` still does).
  const older = await startOperator([RecordedController], {
    namespaces: [ns.name],
    stateStorage: 'annotations',
  });
  try {
    await ns.client.create(resource, { metadata: { name: 'old-way', namespace: ns.name }, spec: { n: 5 } });
    // Two writes there: the status, then the record.
    const o = await waitForObject<Stored>(
      ns.client,
      resource,
      ns.name,
      'old-way',
      (x) => ready(x) && x?.metadata.annotations?.[DIFF_BASE_ANNOTATION] !== undefined,
    );
    expect(o?.metadata.annotations?.[DIFF_BASE_ANNOTATION]).toBe('{"spec":{"n":5}}');
    expect(record(o)).toBeUndefined();
    await engineCaughtUp(ns.client, resource, ns.name, 'old-way');
  } finally {
    await older.stop();
  }
  expect(count('create:old-way')).toBe(1);
  const patches = jest.spyOn(KubeClient.prototype, 'mergePatch');
  const running = await startOperator([RecordedController], { namespaces: [ns.name] });
  try {
    await engineCaughtUp(ns.client, resource, ns.name, 'old-way');
    expect(count('create:old-way')).toBe(1);
    expect(patches.mock.calls.filter((call) => call[2] === 'old-way')).toHaveLength(0);
    // The next change: update handler with the old values read from the annotation; the
    // record moves into status and the annotation is removed.
    await ns.client.mergePatch(resource, ns.name, 'old-way', { spec: { n: 6 } });
    const o = await waitForObject<Stored>(
      ns.client,
      resource,
      ns.name,
      'old-way',
      (x) => x?.status?.seen === 6,
    );
    expect(o?.status?.old).toEqual({ spec: { n: 5 } });
    await engineCaughtUp(ns.client, resource, ns.name, 'old-way');
    const migrated = await ns.client.get<Stored>(resource, ns.name, 'old-way');
    expect(record(migrated)?.['last-handled-configuration']).toBe('{"spec":{"n":6}}');
    expect(migrated.metadata.annotations?.[DIFF_BASE_ANNOTATION]).toBeUndefined();
    expect(count('update:old-way')).toBe(1);
    expect(count('create:old-way')).toBe(1);
  } finally {
    patches.mockRestore();
    await running.stop();
  }
});

test('a status schema that prunes the record: it goes to annotations, each change is handled once', async () => {
  const running = await startOperator([ClosedController], { namespaces: [ns.name] });
  try {
    for (const name of ['pruned-0', 'pruned-1'])
      await ns.client.create(closed, { metadata: { name, namespace: ns.name }, spec: { n: 2 } });
    for (const name of ['pruned-0', 'pruned-1']) {
      const o = await waitForObject<Stored>(
        ns.client,
        closed,
        ns.name,
        name,
        (x) => ready(x) && x?.metadata.annotations?.[DIFF_BASE_ANNOTATION] !== undefined,
        { what: `${name} handled, its record in annotations` },
      );
      expect(o?.status?.seen).toBe(2);
      await engineCaughtUp(ns.client, closed, ns.name, name);
      expect(count(`create:${name}`)).toBe(1);
    }
  } finally {
    await running.stop();
  }
});
