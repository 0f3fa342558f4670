// Operator-level @OnStartup/@OnCleanup run once around the controllers; the periodic resync
// puts unchanged objects through @Reconcile again.
import {
  Controller,
  OnCleanup,
  OnStartup,
  Reconcile,
  type HandlerContext,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';

const journal: string[] = [];

class Lifecycle {
  @OnStartup()
  async up() {
    journal.push('startup');
  }

  @OnCleanup()
  async down() {
    journal.push('cleanup');
  }
}

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Resynced', plural: 'resynceds' })
class ResyncedController {
  @Reconcile()
  async level(ctx: HandlerContext) {
    journal.push(`reconcile:${ctx.name}`);
  }
}

let ns: TestNamespace;
let resource: ResourceRef;

beforeAll(async () => {
  ns = await createTestNamespace('resync');
  resource = await ensureTestCrd(ns.client, 'Resynced');
});
afterAll(async () => {
  await ns.dispose();
});

test('startup runs before the controllers, cleanup after them; resync re-runs @Reconcile on unchanged objects', async () => {
  await ns.client.create(resource, { metadata: { name: 'still', namespace: ns.name }, spec: { x: 1 } });
  const running = await startOperator([Lifecycle, ResyncedController], {
    namespaces: [ns.name],
    resyncSeconds: 1,
  });
  await eventually(() => journal.filter((j) => j === 'reconcile:still').length >= 3, {
    what: 'three reconciles of an unchanged object',
    timeoutMs: 15_000,
  });
  await running.stop();
  expect(journal[0]).toBe('startup');
  expect(journal[journal.length - 1]).toBe('cleanup');
  expect(journal.filter((j) => j === 'startup' || j === 'cleanup')).toEqual(['startup', 'cleanup']);
});
