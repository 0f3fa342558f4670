// How the koji side folds into Ready: what MBBOX waits for.
import type { ConditionUpdate, HandlerContext } from '@fedora-operators/framework';
import { reportReadinessWithKoji, type KojiSide } from './koji-side.js';

function context() {
  const conditions = new Map<string, ConditionUpdate>();
  const ctx = {
    patch: { status: {} as Record<string, unknown> },
    condition: (c: ConditionUpdate) => conditions.set(c.type, c),
  } as unknown as HandlerContext<unknown, unknown>;
  return { ctx, conditions };
}

const podsReady = { ready: true, readyReplicas: 2, desired: 2 };
const podsStarting = { ready: false, readyReplicas: 1, desired: 2 };
const describe_ = { synced: 'hosts registered', unmanaged: 'register the builder hosts in koji' };

test('synced and pods available: Ready and KojiSynced are True, nothing to wait for', () => {
  const { ctx, conditions } = context();
  const side: KojiSide<unknown> = { state: 'synced', value: {} };
  expect(reportReadinessWithKoji(ctx, 'kojid hosts', podsReady, side, describe_)).toBeUndefined();
  expect(conditions.get('Ready')).toMatchObject({ status: 'True', reason: 'Available' });
  expect(conditions.get('KojiSynced')).toMatchObject({
    status: 'True',
    reason: 'InSync',
    message: 'hosts registered',
  });
});

test('a hub problem makes Ready False with its reason, even with the pods available, and asks for a retry', () => {
  const { ctx, conditions } = context();
  const side: KojiSide<unknown> = {
    state: 'failed',
    problem: { reason: 'HubUnavailable', message: 'connection refused' },
    retryAfterSeconds: 4.2,
  };
  expect(reportReadinessWithKoji(ctx, 'kojid hosts', podsReady, side, describe_)).toEqual({
    requeueAfterSeconds: 4.2,
  });
  expect(conditions.get('Ready')).toMatchObject({
    status: 'False',
    reason: 'HubUnavailable',
    message: 'kojid hosts: could not register the builder hosts in koji: connection refused (retrying in 5s)',
  });
  expect(conditions.get('KojiSynced')).toMatchObject({ status: 'False', reason: 'HubUnavailable' });
  // The pods' own progress is still reported.
  expect((ctx.patch.status as { readyReplicas?: number }).readyReplicas).toBe(2);
});

test('no KojiHub in the namespace: KojiSynced Unknown, Ready follows the pods', () => {
  const { ctx, conditions } = context();
  const side: KojiSide<unknown> = { state: 'no-hub', message: 'there is no KojiHub in namespace koji' };
  reportReadinessWithKoji(ctx, 'kojid hosts', podsReady, side, describe_);
  expect(conditions.get('Ready')).toMatchObject({ status: 'True' });
  expect(conditions.get('KojiSynced')).toMatchObject({
    status: 'Unknown',
    reason: 'NoKojiHub',
    message: expect.stringMatching(
      /^there is no KojiHub in namespace koji, so the operator does not register/,
    ),
  });
  const starting = context();
  expect(reportReadinessWithKoji(starting.ctx, 'kojid hosts', podsStarting, side, describe_)).toEqual({
    requeueAfterSeconds: expect.any(Number),
  });
  expect(starting.conditions.get('Ready')).toMatchObject({ status: 'False', reason: 'Progressing' });
});
