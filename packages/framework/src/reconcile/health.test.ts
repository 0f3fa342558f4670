import { emptyPatch } from './context.js';
import { runConditions } from './health.js';

const failure = { message: 'timer/probe: the service answers 503', stalled: false };

test('a failure of the run sets Ready=False and Reconciling=True with the handler and its error', () => {
  const conditions = runConditions({ failed: [failure], standing: 0, healthy: false }, emptyPatch(), 'auto');
  expect(conditions).toEqual([
    { type: 'Ready', status: 'False', reason: 'HandlerRetrying', message: failure.message },
    { type: 'Reconciling', status: 'True', reason: 'HandlerRetrying', message: failure.message },
    { type: 'Stalled', status: 'False', reason: 'HandlerRetrying', message: '' },
  ]);
});

test('a failure for good is Stalled; a Ready=False the handler set itself is kept', () => {
  const patch = emptyPatch();
  patch.conditions.push({ type: 'Ready', status: 'False', reason: 'HubUnavailable', message: 'no hub' });
  const conditions = runConditions(
    { failed: [{ ...failure, stalled: true }], standing: 0, healthy: true },
    patch,
    'auto',
  );
  expect(conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
    ['Reconciling', 'False', 'HandlerFailed'],
    ['Stalled', 'True', 'HandlerFailed'],
  ]);
});

test('healthy only when nothing else is still failing; manual mode leaves Ready to the handlers', () => {
  expect(runConditions({ failed: [], standing: 1, healthy: true }, emptyPatch(), 'auto')).toEqual([]);
  expect(runConditions({ failed: [], standing: 0, healthy: false }, emptyPatch(), 'auto')).toEqual([]);
  const healthy = runConditions({ failed: [], standing: 0, healthy: true }, emptyPatch(), 'auto');
  expect(healthy.map((c) => [c.type, c.status])).toEqual([
    ['Ready', 'True'],
    ['Reconciling', 'False'],
    ['Stalled', 'False'],
  ]);
  const manual = runConditions({ failed: [], standing: 0, healthy: true }, emptyPatch(), 'manual');
  expect(manual.map((c) => c.type)).toEqual(['Reconciling', 'Stalled']);
});
