// /readyz turns ready only once the initial list is cached; /metrics shows handler counters.
import {
  Controller,
  CoreResources,
  OnCreate,
  Operator,
  createLogger,
  type ResourceRef,
} from '@fedora-operators/framework';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { grantInNamespace, unprivilegedKubeconfig } from '../../../../test/support/users.ts';
import { eventually } from '../../../../test/support/eventually.ts';

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Probe', plural: 'probes' })
class ProbeController {
  @OnCreate()
  async create() {}
}

let ns: TestNamespace;
let resource: ResourceRef;

beforeAll(async () => {
  ns = await createTestNamespace('health');
  resource = await ensureTestCrd(ns.client, 'Probe');
});
afterAll(async () => {
  await ns.dispose();
});

test('/readyz waits for the initial list, /healthz answers at once, /metrics counts handler runs', async () => {
  const user = `probe-${ns.name}`;
  const operator = new Operator({
    name: 'probe',
    namespaces: [ns.name],
    kubeconfig: unprivilegedKubeconfig(user),
    healthPort: 0,
    healthHost: '127.0.0.1',
    logger: createLogger({ level: 'error', format: 'text' }),
    gracePeriodSeconds: 2,
  });
  operator.register(ProbeController);
  // Discovery is allowed to everyone; listing probes is not, yet: the watch cannot sync.
  await operator.start();
  try {
    const url = (path: string) => `http://127.0.0.1:${operator.healthPort}${path}`;
    expect((await fetch(url('/healthz'))).status).toBe(200);
    // Positive marker: the list was tried and refused (a watch restart with reason error), so
    // the operator got past the point where it could have turned ready.
    await eventually(
      async () =>
        /operator_watch_restarts_total\{[^}]*reason="error"[^}]*\} [1-9]/.test(
          await (await fetch(url('/metrics'))).text(),
        ),
      { what: 'a refused list in /metrics' },
    );
    expect((await fetch(url('/readyz'))).status).toBe(503);

    await grantInNamespace(ns.client, ns.name, user, [
      {
        apiGroups: [resource.group],
        resources: [resource.plural, `${resource.plural}/status`],
        verbs: ['get', 'list', 'watch', 'patch'],
      },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create'] },
    ]);
    await eventually(async () => (await fetch(url('/readyz'))).status === 200, {
      what: '/readyz to turn ready',
      timeoutMs: 40_000,
    });

    await ns.client.create(resource, { metadata: { name: 'p1', namespace: ns.name }, spec: {} });
    const metrics = await eventually(
      async () => {
        const text = await (await fetch(url('/metrics'))).text();
        return /operator_handler_runs_total\{controller="ProbeController",handler="create",outcome="success"\} 1/.test(
          text,
        )
          ? text
          : undefined;
      },
      { what: 'a handler run in /metrics' },
    );
    expect(metrics).toMatch(/operator_objects_cached\{controller="ProbeController"\} 1/);
    // One list-then-watch loop for the controller's kind in its one namespace.
    expect(metrics).toMatch(
      new RegExp(`operator_watches\\{resource="${resource.plural}\\.[^"]+",namespace="${ns.name}"\\} 1`),
    );
    expect(metrics).toMatch(
      /operator_handler_duration_seconds_count\{controller="ProbeController",handler="create"\} 1/,
    );
    expect(metrics).toMatch(
      new RegExp(
        `operator_watch_restarts_total\\{resource="${resource.plural}\\.[^"]+",reason="error"\\} [1-9]`,
      ),
    );
  } finally {
    await operator.stop();
  }
  void CoreResources;
});
