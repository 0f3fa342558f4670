// koji's database schema: the Job scripts against a real PostgreSQL (the emulator's server,
// with SQL files the test provides), and the KojiHub's handling of its Jobs on the local
// cluster: Ready waits for the schema, a failed schema Job is SchemaFailed, and a version bump
// of the hub image upgrades the schema before the Deployment takes the new image, keeping the
// old one when the upgrade fails. KWOK runs no container: a Job's pod either completes (KWOK's
// stage for Job pods) or, kept off the node by a LimitRange no node can satisfy, is marked
// failed by the test with the exit status the script gives for failed SQL.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@fedora-operators/framework';
import type { RunningOperator } from '@fedora-operators/framework/testing';
import { startKojiHub, type KojiHubHandle } from '../../../../test/koji-hub/hub.ts';
import { loadScript, permanentFailureExit, Resources, upgradeScript } from '../../src/manifests/index.js';
import {
  condition,
  create,
  createExampleReferences,
  createTestNamespace,
  kojiHubCr,
  repoRoot,
  startKojiOperator,
  type TestNamespace,
} from '../support/cluster.js';
import { eventually } from '../support/eventually.js';

describe('the schema scripts against PostgreSQL', () => {
  let pg: KojiHubHandle;
  let dir: string;
  const run = (script: string, database: string, env: Record<string, string> = {}) =>
    spawnSync('sh', ['-c', script], {
      encoding: 'utf8',
      env: { ...process.env, ...pg.postgresEnv(database), KOJI_SCHEMA_DIR: dir, ...env },
    });
  const psql = (database: string, sql: string) => {
    const r = spawnSync('psql', ['-X', '-tAc', sql], {
      encoding: 'utf8',
      env: { ...process.env, ...pg.postgresEnv(database) },
    });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.trim();
  };

  beforeAll(async () => {
    pg = await startKojiHub();
    dir = mkdtempSync(join(tmpdir(), 'schema-sql.'));
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("load: koji's schema into an empty database with the admin, once", () => {
    psql('postgres', 'CREATE DATABASE fresh');
    spawnSync('cp', [join(repoRoot, 'test/koji-hub/schema.sql'), join(dir, 'schema.sql')]);
    const first = run(loadScript, 'fresh', { KOJI_ADMIN: 'kojiadmin' });
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(
      psql(
        'fresh',
        "SELECT p.name FROM user_perms up JOIN users u ON u.id = up.user_id JOIN permissions p ON p.id = up.perm_id WHERE u.name = 'kojiadmin'",
      ),
    ).toBe('admin');
    const again = run(loadScript, 'fresh', { KOJI_ADMIN: 'kojiadmin' });
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('koji schema already loaded');
  });

  test('upgrade: the files from the recorded version to the new one, in version order, each once', () => {
    psql('postgres', 'CREATE DATABASE upgrading');
    psql('upgrading', 'CREATE TABLE steps (n serial PRIMARY KEY, step text NOT NULL)');
    const step = (from: string, to: string) =>
      writeFileSync(
        join(dir, `schema-upgrade-${from}-${to}.sql`),
        `INSERT INTO steps (step) VALUES ('${from}-${to}');\n`,
      );
    // 1.9 -> 1.11 crosses 1.10, which sorts before 1.9 as text.
    step('1.8', '1.9');
    step('1.9', '1.10');
    step('1.10', '1.11');
    step('1.11', '1.12');
    const result = run(upgradeScript, 'upgrading', { FROM: '1.9', TO: '1.11' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(psql('upgrading', "SELECT string_agg(step, ' ' ORDER BY n) FROM steps")).toBe(
      '1.9-1.10 1.10-1.11',
    );
  });

  test('upgrade: failing SQL stops with the permanent-failure status and leaves its own step undone', () => {
    psql('postgres', 'CREATE DATABASE broken');
    psql('broken', 'CREATE TABLE steps (n serial PRIMARY KEY, step text NOT NULL)');
    const bad = mkdtempSync(join(tmpdir(), 'schema-bad.'));
    try {
      writeFileSync(
        join(bad, 'schema-upgrade-2.0-2.1.sql'),
        "INSERT INTO steps (step) VALUES ('2.0-2.1');\n",
      );
      writeFileSync(
        join(bad, 'schema-upgrade-2.1-2.2.sql'),
        "INSERT INTO steps (step) VALUES ('2.1-2.2');\nALTER TABLE no_such_table ADD COLUMN x int;\n",
      );
      const result = run(upgradeScript, 'broken', { FROM: '2.0', TO: '2.2', KOJI_SCHEMA_DIR: bad });
      expect(result.status).toBe(permanentFailureExit);
      expect(result.stderr).toContain('schema-upgrade-2.1-2.2.sql failed');
      expect(psql('broken', "SELECT string_agg(step, ' ' ORDER BY n) FROM steps")).toBe('2.0-2.1');
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  test('an unreachable database is retried (status 1), not failed', () => {
    const result = spawnSync('sh', ['-c', upgradeScript], {
      encoding: 'utf8',
      env: { ...process.env, ...pg.postgresEnv('upgrading'), PGPORT: '1', FROM: '1.0', TO: '1.1' },
    });
    expect(result.status).toBe(1);
  });
});

const v134 = 'registry.example/koji-hub:1.34.1-1';
const v135 = 'registry.example/koji-hub:1.35.3-1';

const hubCr = (name: string, image: string) => kojiHubCr(name, { persistent: false, image });

type HubStatus = { schema?: { version: string; image: string } };
const imageOf = (d: KubeObject | undefined) =>
  (d?.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined)?.template?.spec
    ?.containers?.[0]?.image;

/** Keeps the namespace's new pods off every node, so KWOK never completes them. */
async function holdNewPods(ns: TestNamespace): Promise<void> {
  await ns.client.create(
    { group: '', version: 'v1', kind: 'LimitRange', plural: 'limitranges', namespaced: true },
    {
      metadata: { name: 'no-node-fits', namespace: ns.name },
      spec: {
        limits: [{ type: 'Container', default: { cpu: '100000' }, defaultRequest: { cpu: '100000' } }],
      },
    },
  );
}

/** What the kubelet reports for the schema container exiting with `exitCode`. */
async function failPodsOfJob(ns: TestNamespace, job: string, exitCode: number): Promise<void> {
  const pod = await eventually(
    async () =>
      (await ns.client.list<KubeObject>(Resources.pod, ns.name, { labelSelector: `job-name=${job}` }))
        .items[0],
    { what: `a pod of Job ${job}` },
  );
  const now = new Date().toISOString();
  await ns.client.mergePatch(
    Resources.pod,
    ns.name,
    pod.metadata.name ?? '',
    {
      status: {
        phase: 'Failed',
        containerStatuses: [
          {
            name: 'db-schema',
            image: imageOf({ spec: { template: { spec: pod.spec } } } as KubeObject) ?? '',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode, reason: 'Error', startedAt: now, finishedAt: now } },
          },
        ],
      },
    },
    'status',
  );
}

describe('a KojiHub and its schema Jobs', () => {
  let ns: TestNamespace;
  let operator: RunningOperator;
  beforeEach(async () => {
    ns = await createTestNamespace('schema');
    await createExampleReferences(ns.client, ns.name);
    operator = await startKojiOperator(ns.name);
  });
  afterEach(async () => {
    await operator?.stop();
    await ns?.dispose();
  });

  const readyReason = async (name: string) =>
    condition(await ns.client.find(Resources.kojiHub, ns.name, name), 'Ready')?.reason;

  test('a KojiHub whose schema Job fails is Ready=False SchemaFailed', async () => {
    await holdNewPods(ns);
    await create(ns.client, ns.name, hubCr('failing', v134));
    await eventually(async () => (await readyReason('failing')) === 'SchemaPending', {
      what: 'SchemaPending',
    });
    await failPodsOfJob(ns, 'failing-db-schema', permanentFailureExit);
    await eventually(async () => (await readyReason('failing')) === 'SchemaFailed', { what: 'SchemaFailed' });
    const hub = await ns.client.get(Resources.kojiHub, ns.name, 'failing');
    expect(condition(hub, 'Ready')?.status).toBe('False');
    expect((hub.status as HubStatus).schema).toBeUndefined();
  });

  test('a version bump of the hub image runs the upgrade Job before the new pods; the schema version is recorded', async () => {
    await create(ns.client, ns.name, hubCr('bumped', v134));
    await eventually(
      async () =>
        ((await ns.client.get(Resources.kojiHub, ns.name, 'bumped')).status as HubStatus).schema?.version ===
        '1.34.1',
      { what: 'schema 1.34.1 recorded' },
    );
    await ns.client.mergePatch(Resources.kojiHub, ns.name, 'bumped', { spec: { image: v135 } });
    const job = await eventually(
      () => ns.client.find(Resources.job, ns.name, 'bumped-db-upgrade-1-34-to-1-35'),
      {
        what: 'the upgrade Job',
      },
    );
    expect(imageOf(job)).toBe(v135);
    expect(JSON.stringify(job.spec)).toContain('"name":"FROM","value":"1.34"');
    await eventually(
      async () =>
        ((await ns.client.get(Resources.kojiHub, ns.name, 'bumped')).status as HubStatus).schema?.version ===
        '1.35.3',
      { what: 'schema 1.35.3 recorded' },
    );
    const deployment = await ns.client.get(Resources.deployment, ns.name, 'bumped');
    expect(imageOf(deployment)).toBe(v135);
    const done = await ns.client.get(Resources.job, ns.name, 'bumped-db-upgrade-1-34-to-1-35');
    // The Deployment changed after the Job completed: its pods never met the old schema.
    const completed = Date.parse((done.status as { completionTime?: string }).completionTime ?? '');
    const fields = (deployment.metadata.managedFields ?? []) as {
      manager?: string;
      operation?: string;
      time?: string;
    }[];
    const rolled = fields
      .filter((f) => f.manager === 'koji-operator' && f.operation === 'Apply')
      .map((f) => Date.parse(f.time ?? ''));
    expect(Math.max(...rolled)).toBeGreaterThanOrEqual(Math.floor(completed / 1000) * 1000);
  });

  test('a failing upgrade keeps the old pods and says SchemaUpgradeFailed', async () => {
    await create(ns.client, ns.name, hubCr('stuck', v134));
    await eventually(
      async () =>
        ((await ns.client.get(Resources.kojiHub, ns.name, 'stuck')).status as HubStatus).schema?.version ===
        '1.34.1',
      { what: 'schema 1.34.1 recorded' },
    );
    await holdNewPods(ns);
    await ns.client.mergePatch(Resources.kojiHub, ns.name, 'stuck', { spec: { image: v135 } });
    await eventually(async () => (await readyReason('stuck')) === 'SchemaUpgradePending', {
      what: 'SchemaUpgradePending',
    });
    expect(imageOf(await ns.client.get(Resources.deployment, ns.name, 'stuck'))).toBe(v134);
    await failPodsOfJob(ns, 'stuck-db-upgrade-1-34-to-1-35', permanentFailureExit);
    await eventually(async () => (await readyReason('stuck')) === 'SchemaUpgradeFailed', {
      what: 'SchemaUpgradeFailed',
    });
    const hub = await ns.client.get(Resources.kojiHub, ns.name, 'stuck');
    expect(condition(hub, 'Ready')?.message).toContain(`the old hub (${v134}) keeps serving`);
    expect((hub.status as HubStatus).schema?.version).toBe('1.34.1');
    expect(imageOf(await ns.client.get(Resources.deployment, ns.name, 'stuck'))).toBe(v134);
  });
});
