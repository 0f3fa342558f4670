// /readyz turns ready only once the initial list is cached; /metrics shows handler counters.
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** A kubeconfig for a user with no permissions yet, signed by the test cluster's CA. */
function unprivilegedKubeconfig(user: string): string {
  const state = JSON.parse(readFileSync(process.env.TESTCLUSTER_STATE ?? '', 'utf8')) as {
    runDir: string;
    server?: string;
  };
  const pki = join(state.runDir, 'pki');
  const dir = mkdtempSync(join(tmpdir(), 'probe-user-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${user}`,
      '-keyout',
      join(dir, 'u.key'),
      '-out',
      join(dir, 'u.csr'),
    ],
    { stdio: 'ignore' },
  );
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      join(dir, 'u.csr'),
      '-CA',
      join(pki, 'ca.crt'),
      '-CAkey',
      join(pki, 'ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-out',
      join(dir, 'u.crt'),
    ],
    { stdio: 'ignore' },
  );
  const admin = readFileSync(process.env.KUBECONFIG ?? '', 'utf8');
  const server = /server: (\S+)/.exec(admin)?.[1];
  const ca = /certificate-authority-data: (\S+)/.exec(admin)?.[1];
  const b64 = (f: string) => readFileSync(join(dir, f)).toString('base64');
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: c, cluster: {server: "${server}", certificate-authority-data: ${ca}}}]`,
      `users: [{name: u, user: {client-certificate-data: ${b64('u.crt')}, client-key-data: ${b64('u.key')}}}]`,
      'contexts: [{name: c, context: {cluster: c, user: u}}]',
      'current-context: c',
      '',
    ].join('\n'),
  );
  return file;
}

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
    await new Promise((r) => setTimeout(r, 1000));
    expect((await fetch(url('/readyz'))).status).toBe(503);

    const rbac = (plural: string): ResourceRef => ({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      kind: plural === 'roles' ? 'Role' : 'RoleBinding',
      plural,
      namespaced: true,
    });
    await ns.client.create(rbac('roles'), {
      metadata: { name: 'probe', namespace: ns.name },
      rules: [
        {
          apiGroups: [resource.group],
          resources: [resource.plural, `${resource.plural}/status`],
          verbs: ['get', 'list', 'watch', 'patch'],
        },
        { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create'] },
      ],
    });
    await ns.client.create(rbac('rolebindings'), {
      metadata: { name: 'probe', namespace: ns.name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'probe' },
      subjects: [{ kind: 'User', name: user }],
    });
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
