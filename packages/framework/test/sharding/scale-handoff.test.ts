// Sharded replicas hand objects over under load without ever running one object in two places:
// - kill -9 of a replica: the sharder starts moving its objects within lease duration + renew
//   period, and relabels them at >= 10 objects/s (one label write per object). Not the one
//   running the sharder: then a new sharder must first take the sharder Lease and start, and the
//   moves took 16-18 s with 10 s Leases (reported to the engine's owner), beyond that bound;
// - a replica added: objects rebalance to it, and only to it (consistent hashing);
// - scale-down (SIGTERM of one replica) and a rolling update: a Deployment's steps done with
//   processes (start a new replica, wait for its /readyz, SIGTERM an old one, wait for its exit;
//   one by one, as maxSurge 1 / maxUnavailable 0 does). A real Deployment needs the operator in an
//   image on a real node (the `real` tier); these tests run on the integration tier's apiserver,
//   where the kubelet's part (SIGTERM, the grace period, readiness) is done by this file.
// In each, a steady load of spec changes runs throughout; afterwards every object's status shows
// its last change, and the run ledger shows no overlapping runs, no lost change, no stuck run.
//
// Size: SCALE_HANDOFF_OBJECTS (default 300) objects changed at SCALE_HANDOFF_RATE (default 30)
// changes/s; the full run is SCALE_HANDOFF_OBJECTS=3000 SCALE_HANDOFF_RATE=60.
import type { KubeObject, ResourceRef } from '@fedora-operators/framework';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { describeRunLedger } from '../../src/testing/run-ledger.ts';
import {
  ChangeLoad,
  LEASE,
  leaseArgs,
  moveDelays,
  pause,
  ReplicaSet,
  summary,
  type Replica,
  shardMoves,
  type ScaleRun,
} from './scale-harness.ts';

const OBJECTS = Number(process.env.SCALE_HANDOFF_OBJECTS ?? 300);
const RATE = Number(process.env.SCALE_HANDOFF_RATE ?? 30);
// Lease duration + renew period, plus the sharder's relabel, the watch event and the new owner's
// queue: what "moves within lease duration + renew period" is held to on this shared machine.
const MOVE_BOUND_MS = (LEASE.durationSeconds + LEASE.retrySeconds) * 1000 + 2000;
const SHARD_LABEL = 'shard.operators.fedoraproject.org/scale';
const leases = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  namespaced: true,
} as const;

let resource: ResourceRef;
const namespaces: TestNamespace[] = [];
const sets: ReplicaSet[] = [];
const loads: ChangeLoad[] = [];

beforeAll(async () => {
  const ns = await createTestNamespace('handoff');
  namespaces.push(ns);
  resource = await ensureTestCrd(ns.client, 'ScaleRun');
});
afterAll(async () => {
  for (const load of loads) await load.stop().catch(() => undefined);
  for (const set of sets) set.killAll();
  for (const ns of namespaces) await ns.dispose();
});

interface Scene {
  ns: TestNamespace;
  set: ReplicaSet;
  load: ChangeLoad;
}

/** `replicas` sharded replicas r0.. ready, the objects created and handled, the load running. */
async function scene(prefix: string, replicas: number): Promise<Scene> {
  const ns = await createTestNamespace(prefix);
  namespaces.push(ns);
  const set = new ReplicaSet([
    '--name',
    'scale',
    '--namespace',
    ns.name,
    '--shards',
    `${replicas}`,
    '--lease-namespace',
    ns.name,
    ...leaseArgs,
  ]);
  sets.push(set);
  const started = await Promise.all(Array.from({ length: replicas }, (_, i) => set.start(`r${i}`)));
  await Promise.all(started.map((r) => set.ready(r)));
  const load = new ChangeLoad(ns, resource, ChangeLoad.names(OBJECTS));
  loads.push(load);
  await load.createAll();
  await load.settled(120_000, set).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${set.describe()}`);
  });
  load.start(RATE);
  await pause(3000);
  if (set.live().length !== replicas) throw new Error(`a replica exited on its own:\n${set.describe()}`);
  return { ns, set, load };
}

/** Stops the load, waits for every last change, checks the ledger; returns the report line. */
async function finish({ set, load }: Scene, what: string): Promise<void> {
  await load.stop();
  await load.settled(120_000, set).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${set.describe()}`);
  });
  const report = set.check(load.lastChange);
  process.stderr.write(`[scale-handoff] ${what}: ${load.changes.length} changes, ${summary(report)}\n`);
  await set.stopAll();
  expect(describeRunLedger(report)).toEqual([]);
}

async function shardLabels(ns: TestNamespace): Promise<Map<string, string | undefined>> {
  const list = await ns.client.list<ScaleRun>(resource, ns.name);
  return new Map(list.items.map((o) => [o.metadata.name ?? '', o.metadata.labels?.[SHARD_LABEL]]));
}

/** Logs how many objects moved and their p50/max time in ms. */
function reportMoves(what: string, ms: number[]): void {
  const sorted = [...ms].sort((a, b) => a - b);
  const p50 = sorted[Math.floor(sorted.length / 2)] ?? 0;
  process.stderr.write(
    `[scale-handoff] ${what}: ${sorted.length} objects, p50 ${p50} ms, max ${sorted.at(-1) ?? 0} ms\n`,
  );
}

test('kill -9 of a replica (not the sharder): its objects move within lease + renew period', async () => {
  const s = await scene('handoff-kill', 3);
  const sharder = await s.ns.client.get<KubeObject<{ holderIdentity?: string }>>(
    leases,
    s.ns.name,
    'scale-sharder',
  );
  const victim = s.set.live().find((r) => r.identity !== sharder.spec?.holderIdentity) as Replica;
  expect(victim).toBeDefined();
  const killedAt = await s.set.kill(victim);
  await pause((LEASE.durationSeconds + LEASE.retrySeconds) * 1000 + 3000);
  await finish(s, `kill -9 ${victim.identity}`);
  // The move itself: the sharder relabels the dead replica's objects (its ShardMoved Events).
  const moves = (await shardMoves(s.ns)).filter((m) => m.from === victim.identity);
  const moveMs = moves.map((m) => m.at - killedAt);
  expect(moves.length).toBeGreaterThan(0);
  expect(moves.every((m) => m.why === `the Lease of ${victim.identity} expired`)).toBe(true);
  // And the wait of a change made to one of them after the kill, until another replica ran it.
  const delays = moveDelays(s.set.runs(), s.load.changes, victim.identity, killedAt);
  expect(delays.length).toBeGreaterThan(0);
  reportMoves(`kill -9 of ${victim.identity}: labels moved`, moveMs);
  reportMoves(
    `kill -9 of ${victim.identity}: next change run elsewhere`,
    delays.map((d) => d.ms),
  );
  // The sharder sees the Lease expire within lease duration + renew period and moves the first
  // object; the rest follow at the pace of one label write each (16 in flight): 20-25/s at load
  // 15, 10/s at load 20 with other test runs beside it; held to 10/s.
  expect(Math.min(...moveMs)).toBeLessThanOrEqual(MOVE_BOUND_MS);
  expect(Math.max(...moveMs)).toBeLessThanOrEqual(MOVE_BOUND_MS + (moves.length / 10) * 1000);
}, 300_000);

test('a replica added under load: objects rebalance to it, and only to it', async () => {
  const s = await scene('handoff-add', 2);
  const before = await shardLabels(s.ns);
  const added = await s.set.start('r2');
  const addedAt = Date.now();
  await s.set.ready(added);
  // Rebalanced once r2 owns about a third of the objects.
  await eventually(
    async () => [...(await shardLabels(s.ns)).values()].filter((l) => l === 'r2').length >= OBJECTS / 5,
    { what: 'r2 to own a share of the objects', timeoutMs: 60_000, intervalMs: 500 },
  );
  const rebalanceMs = Date.now() - addedAt;
  await pause(3000);
  await finish(s, 'add r2');
  const after = await shardLabels(s.ns);
  const moved = [...after].filter(([name, label]) => before.get(name) !== label);
  process.stderr.write(
    `[scale-handoff] add r2: ${moved.length} of ${OBJECTS} objects moved, r2 owned a fifth ${rebalanceMs} ms after its start\n`,
  );
  const drained = (await shardMoves(s.ns)).filter((m) => m.to === 'r2');
  const drainMs = drained.map((m) => Number(/drained it in (\d+) ms/.exec(m.why)?.[1] ?? NaN));
  reportMoves('add r2: moved to r2 after a drain, drain time', drainMs);
  reportMoves(
    'add r2: moved to r2, time since r2 started',
    drained.map((m) => m.at - addedAt),
  );
  expect(moved.length).toBeGreaterThan(0);
  expect(moved.filter(([, label]) => label !== 'r2')).toEqual([]);
  expect(drainMs.every((ms) => Number.isFinite(ms))).toBe(true);
  expect(s.set.runs().some((r) => r.replica === 'r2')).toBe(true);
}, 300_000);

test('scale-down: a replica stopped with SIGTERM hands its objects over at once', async () => {
  const s = await scene('handoff-down', 3);
  const leaving = s.set.live()[2] as Replica;
  const stoppedAt = Date.now();
  expect(await s.set.terminate(leaving)).toBe(0);
  const exitedAt = Date.now();
  await pause(3000);
  await finish(s, `SIGTERM ${leaving.identity}`);
  process.stderr.write(
    `[scale-handoff] ${leaving.identity} exited ${exitedAt - stoppedAt} ms after SIGTERM\n`,
  );
  // It released its Lease: its objects move without waiting for the Lease to expire.
  const moveMs = (await shardMoves(s.ns))
    .filter((m) => m.from === leaving.identity)
    .map((m) => m.at - stoppedAt);
  const delays = moveDelays(s.set.runs(), s.load.changes, leaving.identity, exitedAt);
  reportMoves(`SIGTERM of ${leaving.identity}: labels moved`, moveMs);
  reportMoves(
    `SIGTERM of ${leaving.identity}: next change run elsewhere`,
    delays.map((d) => d.ms),
  );
  expect(moveMs.length).toBeGreaterThan(0);
  expect(Math.max(...moveMs)).toBeLessThan(LEASE.durationSeconds * 1000);
}, 300_000);

test('rolling update: new replica up and ready, then an old one stopped, three times', async () => {
  const s = await scene('handoff-roll', 3);
  for (let i = 0; i < 3; i++) {
    const fresh = await s.set.start(`r${i + 3}`);
    await s.set.ready(fresh);
    const old = s.set.live().find((r) => r.identity === `r${i}`) as Replica;
    expect(await s.set.terminate(old)).toBe(0);
  }
  await pause(3000);
  const lastStop = Math.max(...s.set.replicas.map((r) => r.exitedAt ?? 0));
  await finish(s, 'rolling update r0-r2 -> r3-r5');
  const late = s.set.runs().filter((r) => r.from > lastStop);
  expect(late.length).toBeGreaterThan(0);
  expect([...new Set(late.map((r) => r.replica))].sort()).toEqual(['r3', 'r4', 'r5']);
}, 300_000);
