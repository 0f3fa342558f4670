import { Subject, from, lastValueFrom, toArray } from 'rxjs';
import {
  fastRequeueDelayMs,
  processPerKey,
  SharedLimit,
  type QueueOutcome,
  type QueuedKey,
} from './work-queue.js';
import { ManualClock } from '../testing/manual-clock.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('one run at a time per key; arrivals while busy coalesce into one more run', async () => {
  const keys = new Subject<string>();
  const runs: string[] = [];
  let active = 0;
  let maxActivePerKey = 0;
  const outcomes = lastValueFrom(
    keys.pipe(
      processPerKey(
        async (key) => {
          active++;
          maxActivePerKey = Math.max(maxActivePerKey, active);
          runs.push(key);
          await tick(30);
          active--;
        },
        { concurrency: 4 },
      ),
      toArray(),
    ),
  );
  keys.next('a');
  await tick(5);
  keys.next('a');
  keys.next('a');
  keys.next('a');
  keys.complete();
  await outcomes;
  expect(runs).toEqual(['a', 'a']);
  expect(maxActivePerKey).toBe(1);
});

test('concurrency across keys stays within the limit', async () => {
  const keys = new Subject<string>();
  let active = 0;
  let peak = 0;
  const done = lastValueFrom(
    keys.pipe(
      processPerKey(
        async () => {
          active++;
          peak = Math.max(peak, active);
          await tick(10);
          active--;
        },
        { concurrency: 3 },
      ),
      toArray(),
    ),
  );
  for (let i = 0; i < 20; i++) keys.next(`k${i}`);
  keys.complete();
  const outcomes: QueueOutcome[] = await done;
  expect(outcomes).toHaveLength(20);
  expect(peak).toBe(3);
});

test('a run can ask to be requeued; a new arrival replaces the scheduled run', async () => {
  const keys = new Subject<string>();
  const times: number[] = [];
  const start = Date.now();
  let calls = 0;
  const done = lastValueFrom(
    keys.pipe(
      processPerKey(
        async () => {
          times.push(Date.now() - start);
          calls++;
          return calls === 1 ? { requeueAfterMs: 60 } : calls === 2 ? { requeueAfterMs: 10_000 } : {};
        },
        { concurrency: 1 },
      ),
      toArray(),
    ),
  );
  keys.next('x');
  await tick(150);
  expect(calls).toBe(2);
  expect(times[1]).toBeGreaterThanOrEqual(55);
  keys.next('x'); // replaces the 10 s timer
  await tick(20);
  keys.complete();
  await done;
  expect(calls).toBe(3);
});

test('a failing run is reported and does not stop the queue', async () => {
  const keys = new Subject<string>();
  const done = lastValueFrom(
    keys.pipe(
      processPerKey(
        async (key) => {
          if (key === 'bad') throw new Error('boom');
        },
        { concurrency: 2 },
      ),
      toArray(),
    ),
  );
  keys.next('bad');
  keys.next('good');
  keys.complete();
  const outcomes = await done;
  expect(outcomes.find((o) => o.key === 'bad')?.error).toBeInstanceOf(Error);
  expect(outcomes.find((o) => o.key === 'good')?.error).toBeUndefined();
});

test('sub-second requeues of one key in a row are spaced out exponentially', () => {
  expect(fastRequeueDelayMs(0, 0)).toBe(5);
  expect(fastRequeueDelayMs(0, 4)).toBe(80);
  expect(fastRequeueDelayMs(300, 2)).toBe(300);
  expect(fastRequeueDelayMs(0, 30)).toBe(60_000);
});

test('a shared limit bounds the runs of several queues together', async () => {
  const limit = new SharedLimit(2);
  let active = 0;
  let peak = 0;
  const run = async () => {
    active++;
    peak = Math.max(peak, active);
    await new Promise((r) => setTimeout(r, 20));
    active--;
  };
  const done = (keys: string[]) =>
    lastValueFrom(from(keys).pipe(processPerKey(run, { concurrency: 2, limit }), toArray()));
  await Promise.all([done(['a', 'b', 'c']), done(['x', 'y', 'z'])]);
  expect(peak).toBe(2);
});

test('requeues are timed by the clock; only a run started by its own requeue is rate-limited', async () => {
  const clock = new ManualClock(0);
  const keys = new Subject<string>();
  const runs: number[] = [];
  const subscription = keys
    .pipe(
      processPerKey(
        async () => {
          runs.push(clock.now());
          return { requeueAfterMs: 1 };
        },
        { concurrency: 1, clock },
      ),
    )
    .subscribe();
  keys.next('x'); // an arrival: its 1 ms requeue keeps its exact time
  await clock.advance(0);
  expect(runs).toEqual([0]);
  await clock.advance(1);
  // That run came from its own requeue and asks for 1 ms again: spaced out (5, 10, 20 ms...).
  await clock.advance(4);
  expect(runs).toEqual([0, 1]);
  await clock.advance(1);
  expect(runs).toEqual([0, 1, 6]);
  await clock.advance(10);
  expect(runs).toEqual([0, 1, 6, 16]);
  keys.next('x'); // a new arrival replaces the timer, and its own requeue is exact again
  await clock.advance(0);
  await clock.advance(1);
  expect(runs).toEqual([0, 1, 6, 16, 16, 17]);
  subscription.unsubscribe();
  expect(clock.pendingTimers).toBe(0);
});

test('a change waiting for a slot goes before a long initial list, which still drains', async () => {
  const keys = new Subject<string | QueuedKey>();
  const order: string[] = [];
  const done = lastValueFrom(
    keys.pipe(
      processPerKey(
        async (key) => {
          order.push(key);
          await tick(2);
        },
        { concurrency: 1 },
      ),
      toArray(),
    ),
  );
  for (let i = 0; i < 50; i++) keys.next({ key: `list-${i}`, priority: 'background' });
  keys.next({ key: 'related', priority: 'wake-up' });
  await tick(15);
  keys.next('new'); // a bare key is a change
  keys.complete();
  await done;
  expect(order).toHaveLength(52);
  const newAt = order.indexOf('new');
  // Only the runs before its arrival (and at most one fair-share turn of the list) precede it.
  expect(order.slice(0, newAt).filter((k) => k.startsWith('list')).length).toBeLessThan(15);
  expect(order.indexOf('related')).toBeLessThan(6);
});
