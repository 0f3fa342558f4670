// The engine's walk for one object: every run visits the planner, the runner and the
// committer once each, in that order; handlers are called only during the runner's visit
// (through the one invoke(), for every kind: change, related, @Reconcile, @Timer) and the
// object is written only during the committer's, so no handler runs after a write of its run.
// Recorded on the real engine against the real apiserver, by wrapping the engine's modules.
import {
  Controller,
  CoreResources,
  OnCreate,
  OnDelete,
  OnSecretChange,
  Reconcile,
  Timer,
  type HandlerContext,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, type RunningOperator } from '@fedora-operators/framework/testing';
import { jest } from '@jest/globals';
import { KubeClient } from '../../src/kube/client.ts';
import { Committer } from '../../src/reconcile/committer.ts';
import { ObjectProcessor } from '../../src/reconcile/object-processor.ts';
import { PlanRunner } from '../../src/reconcile/plan-runner.ts';
import { Planner } from '../../src/reconcile/planner.ts';
import { HandlerRunner } from '../../src/reconcile/runner.ts';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';

const handled: string[] = [];

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Walker', plural: 'walkers' })
class WalkerController {
  @OnCreate()
  async first(ctx: HandlerContext) {
    handled.push('create:first');
    ctx.patch.status.first = 'done';
  }

  @OnCreate()
  async second(ctx: HandlerContext) {
    handled.push('create:second');
    ctx.patch.status.second = 'done';
  }

  @OnSecretChange({ refs: (spec: { secret?: string }) => [spec.secret] })
  async rotated() {
    handled.push('related');
  }

  @Reconcile()
  async reconcile(ctx: HandlerContext) {
    handled.push('reconcile');
    ctx.patch.status.reconciled = (ctx.spec as { round?: number }).round ?? 0;
  }

  @Timer({ intervalSeconds: 2, initialDelaySeconds: 0 })
  async tick(ctx: HandlerContext) {
    handled.push('timer');
    ctx.patch.status.ticked = true;
  }

  @OnDelete()
  async gone() {
    handled.push('delete');
  }
}

/** One entry per process() call: what the engine did in it, in order. */
const runs: string[][] = [];
let current: string[] | undefined;

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  ns = await createTestNamespace('walk');
  resource = await ensureTestCrd(ns.client, 'Walker');
  const process = ObjectProcessor.prototype.process;
  jest.spyOn(ObjectProcessor.prototype, 'process').mockImplementation(async function (
    this: ObjectProcessor,
    ...args
  ) {
    const trace: string[] = [];
    runs.push(trace);
    current = trace;
    try {
      return await process.apply(this, args);
    } finally {
      current = undefined;
    }
  });
  const plan = Planner.prototype.plan;
  jest.spyOn(Planner.prototype, 'plan').mockImplementation(function (this: Planner, ...args) {
    const planned = plan.apply(this, args);
    current?.push(`plan:${planned.kind}`);
    return planned;
  });
  const run = PlanRunner.prototype.run;
  jest.spyOn(PlanRunner.prototype, 'run').mockImplementation(function (this: PlanRunner, ...args) {
    current?.push('run');
    return run.apply(this, args);
  });
  const commit = Committer.prototype.commit;
  jest.spyOn(Committer.prototype, 'commit').mockImplementation(function (this: Committer, ...args) {
    current?.push('commit');
    return commit.apply(this, args);
  });
  const invoke = HandlerRunner.prototype.invoke;
  jest.spyOn(HandlerRunner.prototype, 'invoke').mockImplementation(function (
    this: HandlerRunner,
    invocation,
  ) {
    current?.push(`invoke:${invocation.handler.method}`);
    return invoke.call(this, invocation);
  });
  const mergePatch = KubeClient.prototype.mergePatch;
  jest.spyOn(KubeClient.prototype, 'mergePatch').mockImplementation(function (this: KubeClient, ...args) {
    if (args[0].plural === 'walkers') current?.push(args[4] === 'status' ? 'write:status' : 'write:metadata');
    return mergePatch.apply(this, args) as never;
  });
  running = await startOperator([WalkerController], { namespaces: [ns.name] });
});
afterAll(async () => {
  await running?.stop();
  jest.restoreAllMocks();
  await ns.dispose();
});

test('each run visits planner, runner and committer once, in order; handlers run only in the runner, writes only in the committer', async () => {
  await ns.client.create(CoreResources.secret, {
    metadata: { name: 'pw', namespace: ns.name },
    data: { password: Buffer.from('one').toString('base64') },
  });
  await ns.client.create(resource, { metadata: { name: 'w', namespace: ns.name }, spec: { secret: 'pw' } });
  await eventually(() => handled.includes('create:second') && handled.includes('timer'), {
    what: 'both create handlers and a timer tick',
  });
  await ns.client.mergePatch(CoreResources.secret, ns.name, 'pw', {
    data: { password: Buffer.from('two').toString('base64') },
  });
  await ns.client.mergePatch(resource, ns.name, 'w', { spec: { round: 1 } });
  await eventually(() => handled.includes('related') && handled.filter((h) => h === 'timer').length >= 2, {
    what: 'the related handler and a second tick',
  });
  await eventually(
    async () =>
      ((await ns.client.get(resource, ns.name, 'w')).status as { reconciled?: number } | undefined)
        ?.reconciled === 1,
    { what: 'the reconciled round to be stored' },
  );
  // A run that has nothing to do stops after planning; every other one is plan, run, commit,
  // with its handler calls inside the run and its writes inside the commit.
  const walk = /^plan:wait$|^plan:\w+ run( invoke:\w+)* commit( write:\w+)*$/;
  for (const trace of runs) expect(trace.join(' ')).toMatch(walk);
  const walked = runs.filter((trace) => trace.includes('run'));
  expect(walked.length).toBeGreaterThanOrEqual(3);
  // A change's handlers run one per run, each committed (its status and its progress in one
  // /status write, the record being kept in status) before the next; the last one's run also
  // calls @Reconcile and records the change. A metadata write follows only for the extensions'
  // bookkeeping (timer stamps, related hashes), which stays in annotations.
  const walks = walked.map((t) => t.join(' '));
  expect(walks).toContainEqual(expect.stringMatching(/run invoke:first( invoke:tick)? commit write:status/));
  expect(walks).toContainEqual(
    expect.stringMatching(/run invoke:second invoke:reconcile( invoke:tick)? commit write:status/),
  );
  // Every handler kind went through the runner's invoke().
  const invoked = new Set(runs.flat().filter((t) => t.startsWith('invoke:')));
  expect([...invoked].sort()).toEqual(
    ['invoke:first', 'invoke:reconcile', 'invoke:rotated', 'invoke:second', 'invoke:tick'].sort(),
  );
});

test('adopting (our finalizer first) and finalizing (delete handlers, then the finalizer goes) are walks too', async () => {
  await ns.client.delete(resource, ns.name, 'w');
  await eventually(async () => !(await ns.client.find(resource, ns.name, 'w')), { what: 'w to be gone' });
  const walk = /^plan:wait$|^plan:\w+ run( invoke:\w+)* commit( write:\w+)*$/;
  for (const trace of runs) expect(trace.join(' ')).toMatch(walk);
  const walks = runs.map((t) => t.join(' '));
  // The first run of the object only puts our finalizer on; no handler runs before it is there.
  expect(walks).toContainEqual('plan:adopt run commit write:metadata');
  // The delete handler runs in the runner; its success is written, then the finalizer removed.
  expect(walks).toContainEqual(
    expect.stringMatching(/^plan:finalize run invoke:gone commit( write:\w+)* write:metadata$/),
  );
  expect(handled.filter((h) => h === 'delete')).toHaveLength(1);
});
