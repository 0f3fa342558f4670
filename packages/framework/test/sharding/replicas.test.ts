// Sharded replicas on the real apiserver, each a child process running the CLI on
// test/fixtures/sharded-operator.mjs with short Leases: they split the objects, a killed
// replica's objects move once its Lease expired, a new replica takes its share through the
// drain handoff, and the external run log never shows one object run by two replicas at once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject, ResourceRef } from '@fedora-operators/framework';
import { CoreResources } from '@fedora-operators/framework';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { startChildOperator, type ChildOperator } from '../runtime/child-operator.ts';
import { overlappingRuns, readRunLog, runsOf } from './run-log.ts';

type Sharded = KubeObject<{ n: number }, { n?: number }>;
const SHARD = 'shard.operators.fedoraproject.org/operator';
const LEASE = { duration: 4, renew: 3, retry: 1 };

let ns: TestNamespace;
let resource: ResourceRef;
const children: ChildOperator[] = [];
const killedAt = new Map<number, number>();
let runLog: string;

beforeEach(async () => {
  ns = await createTestNamespace('shards');
  resource = await ensureTestCrd(ns.client, 'Sharded');
  runLog = join(mkdtempSync(join(tmpdir(), 'shard-runs-')), 'runs.log');
  writeFileSync(runLog, '');
});
afterEach(async () => {
  for (const child of children.splice(0))
    if (child.process.exitCode === null) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
  await ns.dispose();
});

function replica(identity: string, shards: number, handlerMs: number): ChildOperator {
  const child = startChildOperator(
    identity,
    [
      '--namespace',
      ns.name,
      '--shards',
      String(shards),
      '--lease-namespace',
      ns.name,
      '--lease-duration',
      String(LEASE.duration),
      '--renew-deadline',
      String(LEASE.renew),
      '--retry-period',
      String(LEASE.retry),
      '--shard-settle',
      '20',
    ],
    { fixture: 'sharded-operator.mjs', env: { RUN_LOG: runLog, HANDLER_MS: String(handlerMs) } },
  );
  children.push(child);
  return child;
}

async function createObjects(count: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `obj-${String(i).padStart(3, '0')}`);
  for (const name of names)
    await ns.client.create(resource, { metadata: { name, namespace: ns.name }, spec: { n: 0 } });
  return names;
}

/** Every object's status shows spec n = `n`; returns them. */
function allHandled(n: number, timeoutMs = 60_000): Promise<Sharded[]> {
  return eventually(
    async () => {
      const { items } = await ns.client.list<Sharded>(resource, ns.name);
      return items.every((o) => o.spec?.n === n && o.status?.n === n) ? items : undefined;
    },
    { what: `every object handled at n=${n}`, timeoutMs, intervalMs: 250 },
  );
}

const ownerCounts = (objects: Sharded[]) => {
  const counts: Record<string, number> = {};
  for (const o of objects) {
    const owner = o.metadata.labels?.[SHARD] ?? '(none)';
    counts[owner] = (counts[owner] ?? 0) + 1;
  }
  return counts;
};

async function updateAll(names: string[], n: number): Promise<void> {
  for (const name of names) await ns.client.mergePatch(resource, ns.name, name, { spec: { n } });
}

function overlaps() {
  return overlappingRuns(runsOf(readRunLog(runLog), killedAt)).map(
    ([a, b]) => `${a.key}: ${a.replica} ${a.start}-${a.end} and ${b.replica} ${b.start}-${b.end}`,
  );
}

async function events(reason: string): Promise<{ note?: string }[]> {
  const list = await ns.client.list<KubeObject & { reason?: string; note?: string }>(
    CoreResources.event,
    ns.name,
  );
  return list.items.filter((e) => e.reason === reason);
}

test('three replicas split the objects, each runs only its own', async () => {
  for (const id of ['r-a', 'r-b', 'r-c']) replica(id, 3, 20);
  await createObjects(60);
  const objects = await allHandled(0);
  const counts = ownerCounts(objects);
  expect(Object.keys(counts).sort()).toEqual(['r-a', 'r-b', 'r-c']);
  for (const count of Object.values(counts)) expect(count).toBeGreaterThanOrEqual(8);
  // Every run was by the object's owner: nothing ran before it was assigned, or twice.
  const owner = new Map(objects.map((o) => [`${ns.name}/${o.metadata.name}`, o.metadata.labels?.[SHARD]]));
  const runs = runsOf(readRunLog(runLog));
  expect(runs.filter((r) => owner.get(r.key) !== r.replica)).toEqual([]);
  expect(runs.length).toBe(60);
}, 120_000);

test("a killed replica's objects move once its Lease expired, and every change is handled", async () => {
  const [a] = [replica('r-a', 3, 20), replica('r-b', 3, 20), replica('r-c', 3, 20)];
  const names = await createObjects(45);
  const before = await allHandled(0);
  const ofA = before.filter((o) => o.metadata.labels?.[SHARD] === 'r-a').map((o) => o.metadata.name);
  expect(ofA.length).toBeGreaterThan(0);
  a?.process.kill('SIGKILL');
  await a?.exited;
  const killed = Date.now();
  killedAt.set(a?.process.pid ?? 0, killed);
  await updateAll(names, 1);
  const after = await allHandled(1);
  const movedWithin = Date.now() - killed;
  const counts = ownerCounts(after);
  expect(counts['r-a']).toBeUndefined();
  expect(Object.keys(counts).sort()).toEqual(['r-b', 'r-c']);
  expect(overlaps()).toEqual([]);
  const moved = await eventually(
    async () => {
      const list = await events('ShardMoved');
      return list.length >= ofA.length ? list : undefined;
    },
    { what: 'a ShardMoved Event per object moved' },
  );
  expect(moved.length).toBe(ofA.length);
  expect(moved.every((e) => e.note?.includes('the Lease of r-a expired'))).toBe(true);
  process.stderr.write(
    `[shards] ${ofA.length} objects of a killed replica handled elsewhere ${movedWithin} ms after the kill\n`,
  );
}, 120_000);

test('a new replica takes its share; runs in flight during the handoff never overlap', async () => {
  // Slow runs and a steady stream of changes: drains are asked for while runs are in flight.
  replica('r-a', 2, 1500);
  replica('r-b', 2, 1500);
  const names = await createObjects(30);
  await allHandled(0);
  let wave = 0;
  let joined = false;
  const waves = (async () => {
    for (let since: number | undefined; since === undefined || Date.now() - since < 6000;) {
      await updateAll(names, ++wave);
      await new Promise((resolve) => setTimeout(resolve, 300));
      if (joined) since ??= Date.now();
    }
  })();
  replica('r-c', 2, 1500);
  await eventually(() => ns.client.find(CoreResources.lease, ns.name, 'operator-shard-r-c'), {
    what: "the new replica's member Lease",
    timeoutMs: 30_000,
  });
  joined = true;
  await waves;
  const after = await allHandled(wave, 90_000);
  const counts = ownerCounts(after);
  expect(counts['r-c']).toBeGreaterThanOrEqual(5);
  expect(counts['(none)']).toBeUndefined();
  expect(overlaps()).toEqual([]);
  const moved = await eventually(
    async () => {
      const list = await events('ShardMoved');
      return list.length >= (counts['r-c'] ?? 0) ? list : undefined;
    },
    { what: 'a ShardMoved Event per object moved' },
  );
  expect(
    moved.every((e) => /^moved from r-[ab] to r-c: r-[ab] drained it in \d+ ms$/.test(e.note ?? '')),
  ).toBe(true);
}, 180_000);
