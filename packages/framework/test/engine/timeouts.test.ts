// Defect 13: a handler that times out is aborted, and its retry does not start while the timed
// out attempt is still running (it gets its signal and the time to wind down first).
import { Controller, OnCreate, type HandlerContext, type ResourceRef } from '@fedora-operators/framework';
import { startOperator, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';

const attempts: { start: number; end?: number; aborted?: boolean }[] = [];

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Slowpoke', plural: 'slowpokes' })
class SlowpokeController {
  @OnCreate({ timeoutSeconds: 1, retries: 1, backoff: { initialSeconds: 0.2, maxSeconds: 0.2 } })
  async created(ctx: HandlerContext) {
    const attempt: (typeof attempts)[number] = { start: Date.now() };
    attempts.push(attempt);
    // Works for 3 s; when aborted, needs another 1.5 s to wind down (close connections, say).
    await new Promise<void>((resolve) => {
      const done = setTimeout(resolve, 3000);
      ctx.signal.addEventListener('abort', () => {
        attempt.aborted = true;
        clearTimeout(done);
        setTimeout(resolve, 1500);
      });
    });
    attempt.end = Date.now();
  }
}

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  ns = await createTestNamespace('timeouts');
  resource = await ensureTestCrd(ns.client, 'Slowpoke');
  running = await startOperator([SlowpokeController], { namespaces: [ns.name] });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

test('a timed-out attempt is aborted and has ended before its retry starts', async () => {
  await ns.client.create(resource, { metadata: { name: 's', namespace: ns.name }, spec: {} });
  await eventually(() => attempts.length >= 2 && attempts.every((a) => a.end !== undefined), {
    what: 'two finished attempts',
    timeoutMs: 20_000,
  });
  const [first, second] = attempts as [(typeof attempts)[number], (typeof attempts)[number]];
  expect(first.aborted).toBe(true);
  expect(second.start).toBeGreaterThanOrEqual(first.end as number);
});
