// Koji allows one kojira: a second Kojira in the namespace is refused, says why and which one
// runs, owns nothing, and the first keeps working; deleting the first hands over.
import type { KubeObject } from '@fedora-operators/framework';
import type { RunningOperator } from '@fedora-operators/framework/testing';
import { Resources } from '../../src/manifests/index.js';
import {
  childResources,
  condition,
  create,
  createBoundClaim,
  createExampleReferences,
  isReady,
  createTestNamespace,
  ownedChildren,
  startKojiOperator,
  type TestNamespace,
} from '../support/cluster.js';
import { eventually } from '../support/eventually.js';

let ns: TestNamespace;
let operator: RunningOperator;

beforeAll(async () => {
  ns = await createTestNamespace('kojira');
  await createExampleReferences(ns.client, ns.name);
  await createBoundClaim(ns.client, ns.name, 'koji-hub-mnt-pvc');
  operator = await startKojiOperator(ns.name);
});

afterAll(async () => {
  await operator?.stop();
  await ns?.dispose();
});

const kojira = (name: string): KubeObject => ({
  apiVersion: 'koji.fedoraproject.org/v1alpha1',
  kind: 'Kojira',
  metadata: { name },
  spec: {
    hub_host: 'koji-hub:8443',
    cacert_secret: 'koji-hub-ca-cert',
    client_cert_secret: 'kojira-client-cert',
    shared_pvc: 'koji-hub-mnt-pvc',
  },
});

test('a second Kojira is refused with a clear status and owns nothing; the first keeps running', async () => {
  const first = await create(ns.client, ns.name, kojira('first'));
  await eventually(() => ns.client.find(Resources.deployment, ns.name, 'first'), {
    what: 'Deployment first',
  });
  const second = await create(ns.client, ns.name, kojira('second'));

  const refused = await eventually(
    async () => {
      const k = await ns.client.get(Resources.kojira, ns.name, 'second');
      return condition(k, 'Ready')?.reason === 'AnotherKojiraActive' ? k : undefined;
    },
    { what: 'Kojira second refused' },
  );
  expect(condition(refused, 'Ready')).toMatchObject({
    status: 'False',
    message: expect.stringContaining('Kojira first is already active'),
  });
  expect((refused.status as { active?: boolean }).active).toBe(false);
  expect(await ownedChildren(ns.client, ns.name, second.metadata.uid ?? '', childResources)).toEqual([]);

  const active = await ns.client.get(Resources.kojira, ns.name, 'first');
  expect((active.status as { active?: boolean }).active).toBe(true);
  expect(await ownedChildren(ns.client, ns.name, first.metadata.uid ?? '', childResources)).toEqual([
    'ConfigMap/first-config',
    'Deployment/first',
  ]);
  await eventually(async () => isReady(await ns.client.get(Resources.kojira, ns.name, 'first')), {
    what: 'Kojira first Ready',
  });
  const deployment = await ns.client.get(Resources.deployment, ns.name, 'first');
  expect(deployment.spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
});

test('deleting the active Kojira lets the refused one take over', async () => {
  await ns.client.delete(Resources.kojira, ns.name, 'first');
  await eventually(
    async () => {
      const k = await ns.client.get(Resources.kojira, ns.name, 'second');
      return (
        (k.status as { active?: boolean }).active === true &&
        condition(k, 'Ready')?.reason !== 'AnotherKojiraActive'
      );
    },
    // Woken by the first's deletion (@Watches), not by its 60 s safety-net requeue.
    { what: 'Kojira second to become active', timeoutMs: 15_000 },
  );
  await eventually(() => ns.client.find(Resources.deployment, ns.name, 'second'), {
    what: 'Deployment second',
  });
});
