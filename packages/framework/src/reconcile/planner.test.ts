import type { KubeObject } from '../kube/object.js';
import type { HandlerSpec } from '../registry.js';
import { decodeDiffBase, encodeDiffBase } from './diff-base.js';
import { essenceOf } from './essence.js';
import { NOOP, planChange, planDeletion, planSteps } from './planner.js';

const handler = (kind: HandlerSpec['kind'], id: string = kind, field?: string): HandlerSpec => ({
  id,
  kind,
  qualifiedName: `C.${id}`,
  method: id,
  options: {},
  ...(field ? { field } : {}),
});
const object = (spec: unknown, annotations: Record<string, string> = {}): KubeObject => ({
  metadata: { name: 'o', annotations },
  spec,
});
const KEY = 'x/last-handled-configuration';
const stored = (spec: unknown, policy: 'copy' | 'hash') => ({
  [KEY]: encodeDiffBase(essenceOf(object(spec)), policy, 1 << 20).value,
});

test('a never handled object plans its create handlers, in declared order', () => {
  const o = object({ a: 1 });
  const steps = planChange({
    object: o,
    base: undefined,
    handlers: [handler('create', 'one'), handler('update'), handler('create', 'two')],
    resumePending: false,
  });
  expect(steps.map((s) => `${s.cause}/${s.handler.id}`)).toEqual(['create/one', 'create/two']);
});

test('an unchanged object plans nothing; a change plans update and field handlers with the diff', () => {
  const handlers = [handler('update'), handler('field', 'f', 'spec.a')];
  const same = object({ a: 1 }, stored({ a: 1 }, 'copy'));
  expect(
    planChange({
      object: same,
      base: decodeDiffBase(same.metadata.annotations?.[KEY]),
      handlers,
      resumePending: false,
    }),
  ).toEqual([]);
  const changed = object({ a: 2 }, stored({ a: 1 }, 'copy'));
  const steps = planChange({
    object: changed,
    base: decodeDiffBase(changed.metadata.annotations?.[KEY]),
    handlers,
    resumePending: false,
  });
  expect(steps.map((s) => [s.cause, s.old, s.new])).toEqual([
    ['update', { spec: { a: 1 } }, { spec: { a: 2 } }],
    ['field', 1, 2],
  ]);
});

test('with only a hash stored, a change is still detected; old values are unknown', () => {
  const changed = object({ a: 2 }, stored({ a: 1 }, 'hash'));
  const steps = planChange({
    object: changed,
    base: decodeDiffBase(changed.metadata.annotations?.[KEY]),
    handlers: [handler('update')],
    resumePending: false,
  });
  expect(steps).toHaveLength(1);
  expect(steps[0]?.old).toBeUndefined();
});

test('a change no handler matches is still planned (as a placeholder) so it gets recorded', () => {
  const steps = planChange({ object: object({}), base: undefined, handlers: [], resumePending: false });
  expect(steps[0]?.handler).toBe(NOOP);
});

test('deletion is planned only with our finalizer on the object', () => {
  const handlers = [handler('delete'), handler('create')];
  expect(planDeletion(object({}), false, handlers)).toBeUndefined();
  expect(planDeletion(object({}), true, handlers)?.map((s) => s.handler.id)).toEqual(['delete']);
});

test('a change runs one handler per run, the first not yet done, with its attempt number', () => {
  const steps = planChange({
    object: object({}),
    base: undefined,
    handlers: [handler('create', 'one'), handler('create', 'two'), handler('create', 'three')],
    resumePending: false,
  });
  const now = Date.parse('2026-12-01T00:00:00Z');
  const fresh = planSteps(steps, { change: 'c', handlers: {} }, now);
  expect(fresh.steps.map((s) => [s.handler.id, s.retry])).toEqual([['one', 0]]);
  expect(fresh.remaining).toBe(2);
  const progress = {
    change: 'c',
    handlers: { 'create/one': { retries: 0, success: true }, 'create/two': { retries: 2 } },
  };
  const later = planSteps(steps, progress, now);
  expect(later.steps.map((s) => [s.handler.id, s.retry])).toEqual([['two', 2]]);
  expect(later.remaining).toBe(1);
});

test('a handler waiting for its retry delay, or failed for good, blocks the rest of its change', () => {
  const steps = planChange({
    object: object({}),
    base: undefined,
    handlers: [handler('create', 'one'), handler('create', 'two')],
    resumePending: false,
  });
  const now = Date.parse('2026-12-01T00:00:00Z');
  const delayed = {
    change: 'c',
    handlers: { 'create/one': { retries: 1, delayedUntil: '2026-12-01T00:00:30Z', message: 'down' } },
  };
  expect(planSteps(steps, delayed, now)).toMatchObject({ steps: [], blocked: { waitMs: 30_000 } });
  const failed = { change: 'c', handlers: { 'create/one': { retries: 0, failure: true, message: 'bad' } } };
  expect(planSteps(steps, failed, now)).toMatchObject({ steps: [], blocked: {} });
  const due = {
    change: 'c',
    handlers: { 'create/one': { retries: 1, delayedUntil: '2026-11-30T23:59:59Z' } },
  };
  expect(planSteps(steps, due, now).steps.map((s) => s.handler.id)).toEqual(['one']);
});
