import { jest } from '@jest/globals';
import { firstValueFrom, of, throwError, retry, defer } from 'rxjs';
import { backoffDelayMs, backoffRetryDelay, createBackoff } from './backoff.js';

test('defaults double from 0.8 s up to the 30 s cap', () => {
  const ceilings = [0, 1, 2, 3, 4, 5, 6, 10].map((attempt) => backoffDelayMs(attempt, {}, () => 1));
  expect(ceilings).toEqual([800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000]);
});

test('equal jitter (the default) stays within the upper half of the delay', () => {
  expect(backoffDelayMs(2, {}, () => 0)).toBe(1600);
  expect(backoffDelayMs(2, {}, () => 0.5)).toBe(2400);
  expect(backoffDelayMs(2, {}, () => 1)).toBe(3200);
});

test('full jitter spreads over the whole delay', () => {
  expect(backoffDelayMs(2, { jitter: 'full' }, () => 0)).toBe(0);
  expect(backoffDelayMs(2, { jitter: 'full' }, () => 0.25)).toBe(800);
});

test('options change the base, factor and cap', () => {
  expect(backoffDelayMs(2, { initialMs: 100, factor: 3, maxMs: 10_000 }, () => 1)).toBe(900);
  expect(backoffDelayMs(9, { initialMs: 100, factor: 3, maxMs: 10_000 }, () => 1)).toBe(10_000);
});

test('a stateful backoff grows with each failure and resets after 120 s without one', () => {
  let now = 0;
  const next = createBackoff({}, { now: () => now, random: () => 1 });
  const delays = [next(), next(), next()];
  now += 119_999;
  delays.push(next());
  now += 120_000;
  delays.push(next(), next());
  expect(delays).toEqual([800, 1600, 3200, 6400, 800, 1600]);
});

test('backoffRetryDelay plugs into rxjs retry', async () => {
  jest.useFakeTimers();
  try {
    let attempts = 0;
    const source = defer(() => (++attempts < 3 ? throwError(() => new Error('down')) : of('up')));
    const result = firstValueFrom(
      source.pipe(retry({ delay: backoffRetryDelay({ initialMs: 10 }, { now: () => 0, random: () => 1 }) })),
    );
    await jest.advanceTimersByTimeAsync(10);
    expect(attempts).toBe(2);
    await jest.advanceTimersByTimeAsync(20);
    await expect(result).resolves.toBe('up');
    expect(attempts).toBe(3);
  } finally {
    jest.useRealTimers();
  }
});
