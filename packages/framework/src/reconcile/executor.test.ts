import type { HandlerSpec } from '../registry.js';
import { PermanentError, TemporaryError } from './errors.js';
import { runHandler } from './executor.js';

const handler = (options: HandlerSpec['options'] = {}): HandlerSpec => ({
  id: 'h',
  kind: 'create',
  qualifiedName: 'C.h',
  method: 'h',
  options,
});

test('success carries the handler result', async () => {
  expect(await runHandler(handler(), async () => 42, 0)).toEqual({ kind: 'success', result: 42 });
});

test('TemporaryError retries after exactly the asked delay', async () => {
  const outcome = await runHandler(handler(), async () => Promise.reject(new TemporaryError('later', 7)), 0);
  expect(outcome).toMatchObject({ kind: 'retry', delaySeconds: 7 });
});

test('other errors retry with backoff by default, and stop once retries are used up', async () => {
  const fail = async () => Promise.reject(new Error('boom'));
  const first = await runHandler(handler({ retries: 2, backoff: { initialSeconds: 4 } }), fail, 0);
  expect(first.kind).toBe('retry');
  expect(first.kind === 'retry' && first.delaySeconds).toBeGreaterThanOrEqual(2);
  expect(first.kind === 'retry' && first.delaySeconds).toBeLessThanOrEqual(4);
  expect((await runHandler(handler({ retries: 2 }), fail, 2)).kind).toBe('failure');
});

test('PermanentError and the permanent/ignored policies stop retries', async () => {
  expect(await runHandler(handler(), async () => Promise.reject(new PermanentError('no')), 0)).toMatchObject({
    kind: 'failure',
    ignored: false,
  });
  expect(
    await runHandler(handler({ errors: 'permanent' }), async () => Promise.reject(new Error('x')), 0),
  ).toMatchObject({ kind: 'failure', ignored: false });
  expect(
    await runHandler(handler({ errors: 'ignored' }), async () => Promise.reject(new Error('x')), 0),
  ).toMatchObject({
    kind: 'failure',
    ignored: true,
  });
});

test('a handler that outlives its timeout fails and sees its signal aborted', async () => {
  let aborted = false;
  const outcome = await runHandler(
    handler({ timeoutSeconds: 0.05 }),
    (signal) =>
      new Promise((resolve) => {
        signal.addEventListener('abort', () => (aborted = true));
        setTimeout(resolve, 500);
      }),
    0,
  );
  expect(outcome.kind).toBe('retry');
  expect(outcome.kind === 'retry' && String(outcome.error)).toContain("handler 'h' timed out after 0.05s");
  expect(aborted).toBe(true);
});

test('a timed-out attempt is aborted and awaited (within the grace) before the outcome is returned', async () => {
  let ended = 0;
  const outcome = await runHandler(
    handler({ timeoutSeconds: 0.05 }),
    (signal) =>
      new Promise((resolve) =>
        signal.addEventListener('abort', () => setTimeout(() => resolve((ended = Date.now())), 100)),
      ),
    0,
  );
  expect(outcome.kind).toBe('retry');
  expect(ended).toBeGreaterThan(0);
});

test('an attempt that ignores its signal is given up on after the grace', async () => {
  let abandoned = false;
  const outcome = await runHandler(
    handler({ timeoutSeconds: 0.02 }),
    () => new Promise(() => {}),
    0,
    undefined,
    {
      graceMs: 50,
      onAbandoned: () => (abandoned = true),
    },
  );
  expect(outcome.kind).toBe('retry');
  expect(abandoned).toBe(true);
});
