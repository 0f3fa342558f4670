// The testing kit as a user's suite uses it: an embedded control plane of its own (not the
// run's KUBECONFIG), the CRD generated from the controller's schema, a namespace per test, the
// operator in-process, and waits for a condition and an Event.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Controller,
  OnCreate,
  PermanentError,
  type HandlerContext,
  type KubeObject,
} from '@fedora-operators/framework';
import {
  startOperator,
  startTestCluster,
  waitForCondition,
  waitForEvent,
  type RunningOperator,
  type TestCluster,
} from '@fedora-operators/framework/testing';
import { processesWith } from '../../../../test/support/processes.ts';

const gadgets = {
  group: 'kit.fedora-operators',
  version: 'v1',
  kind: 'Gadget',
  plural: 'gadgets',
  namespaced: true,
};
type Gadget = KubeObject<{ size: number }, { size?: number }>;

@Controller({
  ...gadgets,
  crd: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: { size: { type: 'integer', minimum: 0 } },
    },
    status: { type: 'object', properties: { size: { type: 'integer' } } },
  },
})
class GadgetController {
  @OnCreate()
  async create(ctx: HandlerContext<{ size: number }>) {
    if (ctx.spec.size === 0) throw new PermanentError('size 0 cannot be built');
    ctx.patch.status.size = ctx.spec.size;
  }
}

let cluster: TestCluster;
let running: RunningOperator;
let namespace: string;

beforeAll(async () => {
  cluster = await startTestCluster({ embedded: true, log: () => {} });
  await cluster.installCrds([GadgetController]);
  namespace = (await cluster.createNamespace('kit')).name;
  running = await startOperator([GadgetController], {
    kubeconfig: cluster.kubeconfig,
    namespaces: [namespace],
  });
});
afterAll(async () => {
  await running?.stop();
  await cluster?.stop();
});

test('the embedded control plane is its own, not the run-wide KUBECONFIG', () => {
  expect(cluster.embedded).toBe(true);
  expect(cluster.kubeconfig).not.toBe(process.env.KUBECONFIG);
});

test('an object reaches Ready with its status kept by the generated schema', async () => {
  await cluster.client.create(gadgets, { metadata: { name: 'g1', namespace }, spec: { size: 3 } });
  const ready = await waitForCondition<Gadget>(cluster.client, gadgets, namespace, 'g1', 'Ready');
  expect(ready.status?.size).toBe(3);
});

test('a permanent failure is visible as Stalled and as a Warning Event', async () => {
  await cluster.client.create(gadgets, { metadata: { name: 'g0', namespace }, spec: { size: 0 } });
  await waitForCondition(cluster.client, gadgets, namespace, 'g0', 'Stalled');
  const event = await waitForEvent(cluster.client, namespace, { regarding: 'g0', type: 'Warning' });
  expect((event as { note?: string }).note).toContain('size 0 cannot be built');
});

test('the generated schema rejects what it does not allow', async () => {
  await expect(
    cluster.client.create(gadgets, { metadata: { name: 'bad', namespace }, spec: { size: -1 } }),
  ).rejects.toThrow(/spec.size/);
});

test('a test process killed outright leaves no etcd or kube-apiserver behind', async () => {
  const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const owner = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const { startControlPlane } = await import('@fedora-operators/framework/testing'); const p = await startControlPlane(); console.log(p.runDir); setInterval(() => {}, 1000);",
    ],
    { cwd: packageDir, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const runDir = await new Promise<string>((resolve, reject) => {
    owner.stdout.on('data', (c: Buffer) => resolve(c.toString().trim()));
    owner.on('exit', (code) => reject(new Error(`the owner exited with ${code} before starting`)));
  });
  expect(processesWith(runDir).length).toBeGreaterThanOrEqual(2);
  owner.kill('SIGKILL');
  const deadline = Date.now() + 15_000;
  while (processesWith(runDir).length > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 250));
  expect(processesWith(runDir)).toEqual([]);
});
