import { retryDelaySeconds } from './backoff.js';

test('doubles from 1 s, with equal jitter between half and the full delay', () => {
  expect(retryDelaySeconds(0, {}, () => 0)).toBe(0.5);
  expect(retryDelaySeconds(0, {}, () => 1)).toBe(1);
  expect(retryDelaySeconds(3, {}, () => 1)).toBe(8);
  expect(retryDelaySeconds(3, {}, () => 0)).toBe(4);
});

test('is capped', () => {
  expect(retryDelaySeconds(50, { maxSeconds: 60 }, () => 1)).toBe(60);
  expect(retryDelaySeconds(2, { initialSeconds: 10, factor: 3, maxSeconds: 1000 }, () => 1)).toBe(90);
});
