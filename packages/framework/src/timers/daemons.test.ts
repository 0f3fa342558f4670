import { ManualClock } from '../testing/manual-clock.js';
import { DaemonSupervisor } from './daemons.js';

test('a daemon starts after its initial delay and restarts after its backoff, both on the clock', async () => {
  const clock = new ManualClock(0);
  const starts: number[] = [];
  const failures: number[] = [];
  const supervisor = new DaemonSupervisor((_slot, _error, retryInMs) => failures.push(retryInMs), clock);
  supervisor.ensure(
    'ns/a',
    'watcher',
    async (signal, attempt) => {
      starts.push(clock.now());
      if (attempt === 0) throw new Error('first run fails');
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    },
    30_000,
  );
  await clock.advance(29_999);
  expect(starts).toEqual([]);
  await clock.advance(1);
  expect(starts).toEqual([30_000]);
  expect(failures).toHaveLength(1);
  const backoff = failures[0] as number;
  expect(backoff).toBeGreaterThan(0);
  await clock.advance(backoff - 1);
  expect(starts).toHaveLength(1);
  await clock.advance(1);
  expect(starts).toEqual([30_000, 30_000 + backoff]);
  await supervisor.stop('ns/a');
  expect(clock.pendingTimers).toBe(0);
});
