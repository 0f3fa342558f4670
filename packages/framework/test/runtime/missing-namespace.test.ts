// A served namespace that does not exist (issue 15): the apiserver lists and watches it as an
// empty one, so the operator used to sit synced and say nothing. It is now reported (a warning,
// a gauge, a line in /readyz) without making the operator unready, still watched, and served
// once it is created.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import winston from 'winston';
import {
  Controller,
  CoreResources,
  OnCreate,
  Operator,
  createLogger,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, waitForObject, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, testClient, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { grantInNamespace, unprivilegedKubeconfig } from '../../../../test/support/users.ts';

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Lookout', plural: 'lookouts' })
class LookoutController {
  @OnCreate()
  async created(ctx: HandlerContext) {
    ctx.patch.status.seen = true;
  }
}

/** Every log line the operator writes, as text. */
const lines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(chunk.toString());
    done();
  },
});

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator;
const absent = `absent-${randomBytes(3).toString('hex')}`;
const client = testClient();

beforeAll(async () => {
  ns = await createTestNamespace('present');
  resource = await ensureTestCrd(ns.client, 'Lookout');
  const logger = createLogger({ level: 'info', format: 'text' });
  logger.clear().add(new winston.transports.Stream({ stream: capture }));
  running = await startOperator([LookoutController], {
    namespaces: [ns.name, absent],
    healthPort: 0,
    healthHost: '127.0.0.1',
    namespaceRecheckSeconds: 1,
    logger,
  });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
  await client.delete(CoreResources.namespace, undefined, absent);
  client.close();
});

test('a served namespace that does not exist is reported, and served once it is created', async () => {
  const url = (path: string) => `http://127.0.0.1:${running.operator.healthPort}${path}`;
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`warn.*"${absent}" does not exist`)));
  expect(lines.join('\n')).not.toMatch(new RegExp(`"${ns.name}" does not exist`));
  const metrics = await (await fetch(url('/metrics'))).text();
  expect(metrics).toContain(`operator_namespace_missing{namespace="${absent}"} 1`);
  expect(metrics).toContain(`operator_namespace_missing{namespace="${ns.name}"} 0`);
  // Ready (the other namespace is served), with the warning.
  const readyz = await fetch(url('/readyz'));
  expect(readyz.status).toBe(200);
  expect(await readyz.text()).toContain(`warning: served namespace "${absent}" does not exist`);

  await client.create(CoreResources.namespace, { metadata: { name: absent } });
  await eventually(
    async () =>
      (await (await fetch(url('/metrics'))).text()).includes(
        `operator_namespace_missing{namespace="${absent}"} 0`,
      ),
    { what: 'the gauge to drop once the namespace exists', timeoutMs: 10_000 },
  );
  expect(await (await fetch(url('/readyz'))).text()).toBe('ok\n');
  await client.create(resource, { metadata: { name: 'late', namespace: absent }, spec: {} });
  await waitForObject<KubeObject<unknown, { seen?: boolean }>>(
    client,
    resource,
    absent,
    'late',
    (o) => o?.status?.seen === true,
    {
      timeoutMs: 15_000,
      what: 'the object in the namespace created late',
    },
  );
});

// With RBAC bound per namespace (as the Koji operator's deploy/ does), a namespace that does not
// exist cannot have a binding: its list is forbidden and its cache never syncs. That must not
// hold up the namespaces that work; /readyz stays unready and names the cache that is missing.
test('with RBAC bound per namespace, a missing namespace holds up no other, and /readyz names it', async () => {
  const bound = await createTestNamespace('bound');
  const user = `lookout-${bound.name}`;
  await grantInNamespace(bound.client, bound.name, user, [
    {
      apiGroups: [resource.group],
      resources: [resource.plural, `${resource.plural}/status`],
      verbs: ['get', 'list', 'watch', 'patch'],
    },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create'] },
  ]);
  const nowhere = `absent-${randomBytes(3).toString('hex')}`;
  const operator = new Operator({
    namespaces: [bound.name, nowhere],
    kubeconfig: unprivilegedKubeconfig(user),
    healthPort: 0,
    healthHost: '127.0.0.1',
    logger: createLogger({ level: 'error', format: 'text' }),
    gracePeriodSeconds: 2,
  });
  operator.register(LookoutController);
  await operator.start();
  try {
    await bound.client.create(resource, { metadata: { name: 'bound', namespace: bound.name }, spec: {} });
    await waitForObject<KubeObject<unknown, { seen?: boolean }>>(
      bound.client,
      resource,
      bound.name,
      'bound',
      (o) => o?.status?.seen === true,
      { timeoutMs: 20_000, what: 'the object in the namespace the operator may read' },
    );
    const readyz = await fetch(`http://127.0.0.1:${operator.healthPort}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.text()).toContain(`${resource.plural}.${resource.group} in ${nowhere}`);
  } finally {
    await operator.stop();
    await bound.dispose();
  }
});
