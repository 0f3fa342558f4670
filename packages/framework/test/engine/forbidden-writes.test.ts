// Defect 12: an operator whose writes the apiserver refuses for a reason other than a
// conflict (here 403: its RBAC lacks the status subresource) reports it as a Warning Event
// with the apiserver's message and backs off, instead of a log line and a fixed 5 s requeue.
import { KubeConfig } from '@kubernetes/client-node';
import {
  Controller,
  CoreResources,
  OnCreate,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Guarded', plural: 'guardeds' })
class GuardedController {
  @OnCreate()
  async created(ctx: HandlerContext) {
    ctx.patch.status.seen = true;
  }
}

const rbac = (kind: string, plural: string): ResourceRef => ({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind,
  plural,
  namespaced: true,
});
const serviceAccounts: ResourceRef = {
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  namespaced: true,
};

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator | undefined;

beforeAll(async () => {
  ns = await createTestNamespace('forbidden');
  resource = await ensureTestCrd(ns.client, 'Guarded');
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

/** A kubeconfig for a ServiceAccount that may read and patch Guardeds, but not their status. */
async function limitedKubeConfig(): Promise<KubeConfig> {
  await ns.client.create(serviceAccounts, { metadata: { name: 'limited', namespace: ns.name } });
  await ns.client.create(rbac('Role', 'roles'), {
    metadata: { name: 'limited', namespace: ns.name },
    rules: [
      {
        apiGroups: ['test.fedora-operators'],
        resources: ['guardeds'],
        verbs: ['get', 'list', 'watch', 'patch'],
      },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create'] },
    ],
  });
  await ns.client.create(rbac('RoleBinding', 'rolebindings'), {
    metadata: { name: 'limited', namespace: ns.name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'limited' },
    subjects: [{ kind: 'ServiceAccount', name: 'limited', namespace: ns.name }],
  });
  const request = await ns.client.http.request<{ status: { token: string } }>(
    'POST',
    `/api/v1/namespaces/${ns.name}/serviceaccounts/limited/token`,
    {
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 3600 },
      },
    },
  );
  const cluster = ns.client.config.getCurrentCluster();
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [
      {
        name: 'test',
        server: cluster?.server ?? '',
        caData: cluster?.caData,
        caFile: cluster?.caFile,
        skipTLSVerify: false,
      },
    ],
    users: [{ name: 'limited', token: request.status.token }],
    contexts: [{ name: 'limited', cluster: 'test', user: 'limited' }],
    currentContext: 'limited',
  });
  return config;
}

test('a 403 on the status write is a Warning Event with the apiserver`s message, retried with backoff', async () => {
  running = await startOperator([GuardedController], {
    namespaces: [ns.name],
    kubeconfig: await limitedKubeConfig(),
  });
  await ns.client.create(resource, { metadata: { name: 'g', namespace: ns.name }, spec: {} });
  const warnings = async () => {
    const list = await ns.client.list<KubeObject & { type?: string; note?: string }>(
      CoreResources.event,
      ns.name,
    );
    return list.items.filter((e) => (e.regarding as { name?: string })?.name === 'g' && e.type === 'Warning');
  };
  const first = await eventually(async () => ((await warnings()).length > 0 ? warnings() : undefined), {
    what: 'a Warning Event about the refused write',
  });
  expect(first[0]?.note).toMatch(/forbidden/i);
  // Backoff (2 s, ×2, ...): over 12 s a handful of attempts, not one every 5 s forever nor a loop.
  await new Promise((r) => setTimeout(r, 12_000));
  const attempts = (await warnings()).length;
  process.stderr.write(`[forbidden-writes] ${attempts} refused attempts in the first ~13 s\n`);
  expect(attempts).toBeGreaterThan(1);
  expect(attempts).toBeLessThanOrEqual(5);
});
