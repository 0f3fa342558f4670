import { mergeConditions } from './conditions.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');

test('a new condition gets the transition time and observedGeneration', () => {
  expect(
    mergeConditions(undefined, [{ type: 'Ready', status: 'True', reason: 'Ok', message: '' }], 3, t0),
  ).toEqual([
    {
      type: 'Ready',
      status: 'True',
      reason: 'Ok',
      message: '',
      lastTransitionTime: '2026-01-01T00:00:00Z',
      observedGeneration: 3,
    },
  ]);
});

test('lastTransitionTime moves only when the status changes', () => {
  const first = mergeConditions(
    undefined,
    [{ type: 'Ready', status: 'False', reason: 'A', message: 'a' }],
    1,
    t0,
  );
  const same = mergeConditions(first, [{ type: 'Ready', status: 'False', reason: 'B', message: 'b' }], 2, t1);
  expect(same[0]).toMatchObject({
    reason: 'B',
    lastTransitionTime: '2026-01-01T00:00:00Z',
    observedGeneration: 2,
  });
  const flipped = mergeConditions(same, [{ type: 'Ready', status: 'True', reason: 'C', message: '' }], 2, t1);
  expect(flipped[0]?.lastTransitionTime).toBe('2026-01-01T00:05:00Z');
});

test('other conditions are kept', () => {
  const current = mergeConditions(
    undefined,
    [{ type: 'Custom', status: 'True', reason: 'X', message: '' }],
    1,
    t0,
  );
  const next = mergeConditions(
    current,
    [{ type: 'Ready', status: 'True', reason: 'Ok', message: '' }],
    1,
    t1,
  );
  expect(next.map((c) => c.type)).toEqual(['Custom', 'Ready']);
});
