// The Koji operator sharded by namespace (issue 17): two replicas serve two namespaces, each
// with the proposal's five CRs and what they reference. Every CR turns Ready; each namespace's
// CRs are run by one replica only, the one the hash ring names for that namespace, and carry
// its shard label. The replicas run in this process (each its own identity, Leases, watches
// and caches) so their hubs can be dialed to the emulator; which replica ran a handler is read
// from each replica's own log of handler outcomes. The namespaces are picked so the ring puts
// them on different replicas, so both replicas work.
// deploy/sharding turns the same thing on in a cluster: the last test renders it with kubectl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { parseAllDocuments } from 'yaml';
import {
  createLogger,
  HashRing,
  shardKeyOf,
  type KubeObject,
  type Logger,
} from '@fedora-operators/framework';
import { startOperator, type RunningOperator } from '@fedora-operators/framework/testing';
import { kojiControllers, options } from '../../src/main.js';
import {
  createTestNamespace,
  readYaml,
  repoRoot,
  resourceOf,
  type TestNamespace,
} from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import {
  prepareExampleNamespaces,
  proposalCrs,
  type ExampleNamespaces,
} from '../support/example-namespaces.js';

const REPLICAS = ['koji-a', 'koji-b'];
const SHARD_LABEL = 'shard.operators.fedoraproject.org/koji-operator';
const namespaces: TestNamespace[] = [];
let leases: TestNamespace;
let examples: ExampleNamespaces;
const operators: RunningOperator[] = [];
/** Every handler outcome any replica logged: which replica, for which object. */
const handled: { replica: string; namespace: string; name: string; handler: string }[] = [];

const ring = new HashRing(REPLICAS);
const replicaOf = (namespace: string) => ring.ownerOf(shardKeyOf({ metadata: { namespace } }, 'namespace'));

/** A replica's logger that keeps its handler outcomes (lines with a handler field) and prints only errors. */
function recordingLogger(replica: string): Logger {
  const logger = createLogger({ level: 'info' });
  logger.clear();
  logger.pipe(
    new Writable({
      objectMode: true,
      write(info: Record<string, unknown>, _encoding, done) {
        if (typeof info.handler === 'string' && typeof info.namespace === 'string')
          handled.push({
            replica,
            namespace: info.namespace,
            name: String(info.name),
            handler: info.handler,
          });
        if (info.level === 'error') process.stderr.write(`[${replica}] ${String(info.message)}\n`);
        done();
      },
    }),
  );
  return logger;
}

beforeAll(async () => {
  leases = await createTestNamespace('koji-shard-leases');
  for (let i = 0; namespaces.length < 2; i++) {
    const ns = await createTestNamespace(`kojishard${i}`);
    if (namespaces.some((other) => replicaOf(other.name) === replicaOf(ns.name))) await ns.dispose();
    else namespaces.push(ns);
  }
  examples = await prepareExampleNamespaces(namespaces);
  operators.push(
    ...(await Promise.all(
      REPLICAS.map((identity) =>
        startOperator(
          kojiControllers(examples.hubFactory()),
          {
            ...options,
            namespaces: namespaces.map((ns) => ns.name),
            resyncSeconds: 0,
            logger: recordingLogger(identity),
            sharding: {
              shards: REPLICAS.length,
              key: 'namespace',
              identity,
              leaseNamespace: leases.name,
              // client-go's timings (the defaults): nothing moves here, and shorter ones were
              // missed while the hub started on this loaded machine (both replicas stopped).
            },
          },
          { syncTimeoutMs: 60_000 },
        ),
      ),
    )),
  );
  await Promise.all(namespaces.map((ns) => examples.createCrs(ns)));
}, 300_000);

afterAll(async () => {
  await Promise.all(operators.map((o) => o.stop()));
  await examples?.close();
  for (const ns of [...namespaces, leases]) await ns?.dispose();
});

test('every proposal CR in both namespaces turns Ready=True with two replicas sharded by namespace', async () => {
  const started = Date.now();
  await eventually(async () => (await examples.notReady(namespaces)).length === 0, {
    what: `all ${2 * proposalCrs.length} CRs Ready`,
    timeoutMs: 170_000,
    intervalMs: 2_000,
  }).catch(async (error: unknown) => {
    throw new Error(
      `${String(error)}; not Ready: ${(await examples.notReady(namespaces)).join(', ')}\n${examples.hub.logTails(20)}`,
    );
  });
  process.stderr.write(
    `[koji-sharded] all CRs Ready ${((Date.now() - started) / 1000).toFixed(1)} s after creation\n`,
  );
}, 210_000);

test("each namespace's CRs are run by one replica only, the ring's, and carry its shard label", async () => {
  const replicasBy = new Map<string, Set<string>>();
  for (const run of handled)
    replicasBy.set(run.namespace, (replicasBy.get(run.namespace) ?? new Set()).add(run.replica));
  for (const ns of namespaces) {
    expect({ namespace: ns.name, replicas: [...(replicasBy.get(ns.name) ?? [])] }).toEqual({
      namespace: ns.name,
      replicas: [replicaOf(ns.name)],
    });
    for (const file of proposalCrs) {
      const object = readYaml(`examples/${file}.yaml`)[0] as KubeObject;
      const found = await ns.client.find(resourceOf(object), ns.name, object.metadata.name ?? '');
      expect({ kind: object.kind, shard: found?.metadata.labels?.[SHARD_LABEL] }).toEqual({
        kind: object.kind,
        shard: replicaOf(ns.name),
      });
    }
  }
  // Both replicas worked: one namespace each.
  expect(new Set(handled.map((r) => r.replica)).size).toBe(2);
});

type Rendered = KubeObject<{
  replicas?: number;
  template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } };
}> & { rules?: unknown; roleRef?: unknown; subjects?: { namespace?: string }[] };

/** deploy/ with the sharding component, rendered by kubectl from an overlay of the user's kind. */
function renderSharded(): Rendered[] {
  const overlay = mkdtempSync(join(tmpdir(), 'sharded-overlay-'));
  try {
    const deploy = relative(overlay, join(repoRoot, 'deploy'));
    writeFileSync(
      join(overlay, 'kustomization.yaml'),
      `resources: [${deploy}]\ncomponents: [${deploy}/sharding]\n`,
    );
    const kubectl = join(process.env.TESTCLUSTER_BIN ?? '', 'kubectl');
    return parseAllDocuments(execFileSync(kubectl, ['kustomize', overlay], { encoding: 'utf8' })).map(
      (d) => d.toJS() as Rendered,
    );
  } finally {
    rmSync(overlay, { recursive: true, force: true });
  }
}

test('deploy/sharding: the Deployment runs 3 replicas sharded by namespace, without leader election', () => {
  const deployment = renderSharded().find((o) => o.kind === 'Deployment');
  const env = Object.fromEntries(
    (deployment?.spec?.template?.spec?.containers?.[0]?.env ?? []).map((e) => [e.name, e.value]),
  );
  expect(deployment?.spec?.replicas).toBeGreaterThan(1);
  expect(env).toMatchObject({
    OPERATOR_SHARDS: 'auto',
    OPERATOR_SHARD_KEY: 'namespace',
    OPERATOR_LEADER_ELECT: 'false',
  });
});

test("deploy/sharding: the operator's ServiceAccount may do what sharding does in its namespace", async () => {
  // The rendered Role and RoleBinding, moved into this test's Lease namespace, judged by the apiserver.
  const rbac = renderSharded().filter((o) => o.metadata.name === 'koji-operator-sharding');
  expect(rbac.map((o) => o.kind).sort()).toEqual(['Role', 'RoleBinding']);
  for (const object of rbac) {
    const moved = {
      ...object,
      metadata: { name: object.metadata.name, namespace: leases.name },
      subjects: object.subjects?.map((s) => ({ ...s, namespace: leases.name })),
    };
    await leases.client.create(rbacResource(object.kind ?? ''), moved);
  }
  const user = `system:serviceaccount:${leases.name}:koji-operator`;
  const allowed = async (group: string, resource: string, verb: string) => {
    const review = await leases.client.create<KubeObject<unknown, { allowed?: boolean }>>(
      subjectAccessReviews,
      {
        metadata: {},
        spec: { user, resourceAttributes: { namespace: leases.name, group, resource, verb } },
      },
    );
    return `${verb} ${resource}: ${review.status?.allowed === true}`;
  };
  const checks = [
    ...['get', 'list', 'watch', 'create', 'update'].map((verb) => ['coordination.k8s.io', 'leases', verb]),
    ['', 'pods', 'get'],
    ['apps', 'replicasets', 'get'],
    ['apps', 'deployments', 'get'],
  ] as const;
  const answers = await Promise.all(checks.map(([g, r, v]) => allowed(g, r, v)));
  expect(answers).toEqual(checks.map(([, r, v]) => `${v} ${r}: true`));
  // And no more than that: not deleting another replica's Lease.
  expect(await allowed('coordination.k8s.io', 'leases', 'delete')).toBe('delete leases: false');
});

const subjectAccessReviews = {
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SubjectAccessReview',
  plural: 'subjectaccessreviews',
  namespaced: false,
};
const rbacResource = (kind: string) => ({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind,
  plural: `${kind.toLowerCase()}s`,
  namespaced: true,
});
