// Defect 4 (socket exhaustion): one operator serving many namespaces holds a watch per kind per
// namespace; when those outnumbered the shared HTTP pool (128 sockets), watches starved writes
// and each other and objects never got Ready, with nothing logged. Watches now have a pool of
// their own; here 16 namespaces x 9 kinds = 144 watches, and every object gets Ready.
import {
  Controller,
  OnCreate,
  OnSecretChange,
  Owns,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, waitForObject, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';

const NAMESPACES = 16;

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Tenant', plural: 'tenants' })
@Owns({ apiVersion: 'v1', kind: 'ConfigMap' })
@Owns({ apiVersion: 'v1', kind: 'Service' })
@Owns({ apiVersion: 'v1', kind: 'ServiceAccount' })
@Owns({ apiVersion: 'apps/v1', kind: 'Deployment' })
@Owns({ apiVersion: 'apps/v1', kind: 'StatefulSet' })
@Owns({ apiVersion: 'batch/v1', kind: 'Job' })
@Owns({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' })
class TenantController {
  @OnCreate()
  async created(ctx: HandlerContext) {
    ctx.patch.status.handled = true;
  }

  @OnSecretChange({ refs: () => [] })
  async secrets() {}
}

const namespaces: TestNamespace[] = [];
let resource: ResourceRef;
let running: RunningOperator | undefined;

beforeAll(async () => {
  for (let i = 0; i < NAMESPACES; i++) namespaces.push(await createTestNamespace(`tenants${i}`));
  resource = await ensureTestCrd((namespaces[0] as TestNamespace).client, 'Tenant');
});
afterAll(async () => {
  await running?.stop();
  for (const ns of namespaces) await ns.dispose();
});

test(`one operator serving ${NAMESPACES} namespaces gets every object Ready`, async () => {
  running = await startOperator(
    [TenantController],
    { namespaces: namespaces.map((ns) => ns.name) },
    { syncTimeoutMs: 60_000 },
  );
  for (const ns of namespaces)
    await ns.client.create(resource, { metadata: { name: 't', namespace: ns.name }, spec: {} });
  for (const ns of namespaces)
    await waitForObject<KubeObject<unknown, { handled?: boolean }>>(
      ns.client,
      resource,
      ns.name,
      't',
      (o) => o?.status?.handled === true,
      { timeoutMs: 30_000, what: `the Tenant in ${ns.name}` },
    );
});
