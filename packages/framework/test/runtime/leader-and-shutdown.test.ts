// Two operator processes on one Lease: exactly one handles objects; when it dies the other
// takes over within the lease duration and nothing is handled twice. SIGTERM during a slow
// handler lets it finish, releases the Lease and exits 0.
import type { KubeObject, ResourceRef } from '@fedora-operators/framework';
import { CoreResources } from '@fedora-operators/framework';
import { waitForObject } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { startChildOperator, type ChildOperator } from './child-operator.ts';

let ns: TestNamespace;
let resource: ResourceRef;
const children: ChildOperator[] = [];

beforeAll(async () => {
  ns = await createTestNamespace('leader');
  resource = await ensureTestCrd(ns.client, 'Runner');
});
afterAll(async () => {
  for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
  await ns.dispose();
});

const LEASE = ['--lease-duration', '4', '--renew-deadline', '3', '--retry-period', '1'];
type Runner = KubeObject<{ sleepMs?: number }, { handledBy?: string }>;
const handledBy = (name: string) =>
  waitForObject<Runner>(ns.client, resource, ns.name, name, (o) => o?.status?.handledBy !== undefined, {
    timeoutMs: 30_000,
  });

test('one leader handles; after it is killed the other takes over within the lease duration', async () => {
  const args = ['--name', 'runner', '--namespace', ns.name, '--leader-elect', ...LEASE];
  const a = startChildOperator('runner-a', args);
  children.push(a);
  await eventually(() => a.output().includes('became leader'), {
    what: 'runner-a to lead',
    timeoutMs: 20_000,
  });
  const b = startChildOperator('runner-b', args);
  children.push(b);
  await eventually(() => b.output().includes('started'), { what: 'runner-b to start', timeoutMs: 20_000 });

  await ns.client.create(resource, { metadata: { name: 'first', namespace: ns.name }, spec: {} });
  expect((await handledBy('first'))?.status?.handledBy).toBe('runner-a');

  a.process.kill('SIGKILL');
  const killedAt = Date.now();
  await ns.client.create(resource, { metadata: { name: 'second', namespace: ns.name }, spec: {} });
  expect((await handledBy('second'))?.status?.handledBy).toBe('runner-b');
  // Takeover: lease duration (4 s) plus one retry period and the handler's own time.
  expect(Date.now() - killedAt).toBeLessThan(4000 + 1000 + 3000);
  expect(b.output()).not.toContain('START first');
  expect(a.output()).not.toContain('START second');

  b.process.kill('SIGTERM');
  expect(await b.exited).toBe(0);
});

test('SIGTERM during a slow handler: it finishes, the Lease is released, exit code 0', async () => {
  const c = startChildOperator('runner-c', [
    '--name',
    'slow',
    '--namespace',
    ns.name,
    '--leader-elect',
    ...LEASE,
  ]);
  children.push(c);
  await eventually(() => c.output().includes('became leader'), {
    what: 'runner-c to lead',
    timeoutMs: 20_000,
  });
  await ns.client.create(resource, {
    metadata: { name: 'slow', namespace: ns.name },
    spec: { sleepMs: 2500 },
  });
  await eventually(() => c.output().includes('START slow'), { what: 'the slow handler to start' });
  c.process.kill('SIGTERM');
  expect(await c.exited).toBe(0);
  expect(c.output()).toContain('DONE slow');
  const lease = await ns.client.get<KubeObject<{ holderIdentity?: string | null }>>(
    CoreResources.lease,
    ns.name,
    'slow-leader',
  );
  expect(lease.spec?.holderIdentity ?? null).toBeNull();
  const object = await ns.client.get<Runner>(resource, ns.name, 'slow');
  expect(object.status?.handledBy).toBe('runner-c');
});
