// An operator stopped in the middle of a multi-handler change: the next one continues with
// the handler that had not finished, never re-runs the one that had, and resumes the objects
// it finds (without writing to those that did not change).
import { jest } from '@jest/globals';
import {
  Controller,
  KubeClient,
  OnCreate,
  OnResume,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, waitForObject } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import {
  engineCaughtUp,
  forgetEngineRuns,
  trackEngineRuns,
} from '../../../../test/support/engine-progress.ts';
import { eventually } from '../../../../test/support/eventually.ts';

const log: string[] = [];
let hangSecond = true;

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Restartee', plural: 'restartees' })
class RestarteeController {
  @OnCreate()
  async first(ctx: HandlerContext) {
    log.push(`first:${ctx.name}`);
  }

  @OnCreate()
  async second(ctx: HandlerContext) {
    log.push(`second:${ctx.name}`);
    if (hangSecond) {
      // Stands for an operator that dies mid-handler: it only ends when the operator is stopped.
      await new Promise((_, reject) =>
        ctx.signal.addEventListener('abort', () => reject(new Error('killed'))),
      );
    }
  }

  @OnResume()
  async resumed(ctx: HandlerContext) {
    log.push(`resume:${ctx.name}`);
  }
}

let ns: TestNamespace;
let resource: ResourceRef;

beforeAll(async () => {
  trackEngineRuns();
  ns = await createTestNamespace('restart');
  resource = await ensureTestCrd(ns.client, 'Restartee');
});
afterAll(async () => {
  await ns.dispose();
});

test('handler 1 is not run again, handler 2 is; existing objects are resumed', async () => {
  const first = await startOperator([RestarteeController], {
    namespaces: [ns.name],
    gracePeriodSeconds: 0.2,
  });
  await ns.client.create(resource, { metadata: { name: 'done-before', namespace: ns.name }, spec: { n: 0 } });
  hangSecond = false;
  await waitForObject<KubeObject<unknown, { conditions?: { type: string; status: string }[] }>>(
    ns.client,
    resource,
    ns.name,
    'done-before',
    (o) => o?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
  );
  hangSecond = true;
  await ns.client.create(resource, { metadata: { name: 'midway', namespace: ns.name }, spec: { n: 1 } });
  await eventually(() => log.includes('second:midway'), { what: 'handler 2 to start' });
  await first.stop();
  expect(log.filter((l) => l === 'first:midway')).toHaveLength(1);

  hangSecond = false;
  log.length = 0;
  // Every patch the second operator sends (the test's own client sends none).
  const patches = jest.spyOn(KubeClient.prototype, 'mergePatch');
  forgetEngineRuns(); // what the first operator processed proves nothing about the second
  const second = await startOperator([RestarteeController], { namespaces: [ns.name] });
  try {
    await waitForObject<KubeObject<unknown, { conditions?: { type: string; status: string }[] }>>(
      ns.client,
      resource,
      ns.name,
      'midway',
      (o) => o?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      { timeoutMs: 20_000 },
    );
    await eventually(() => log.includes('resume:done-before'), { what: 'the resume handler' });
    expect(log).not.toContain('first:midway');
    expect(log.filter((l) => l === 'second:midway')).toHaveLength(1);
    expect(log).not.toContain('first:done-before');
    expect(log).not.toContain('second:done-before');
    // Resuming an object that did not change, with a handler that changes nothing, sends no
    // write (not even a no-op refresh of its bookkeeping); midway's finished change does.
    await engineCaughtUp(ns.client, resource, ns.name, 'done-before');
    await engineCaughtUp(ns.client, resource, ns.name, 'midway');
    const written = patches.mock.calls.map((call) => call[2]);
    expect(written).toContain('midway');
    expect(written).not.toContain('done-before');
  } finally {
    patches.mockRestore();
    await second.stop();
  }
});
