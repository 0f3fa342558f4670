// Sharded replicas on the real apiserver, each a child process running the CLI with short
// Leases (the shard-harness's ReplicaSet and ChangeLoad, and the testing kit's run ledger):
// they split the objects, a killed replica's objects move once its Lease expired, a new
// replica takes its share through the drain handoff, and the run ledger never shows one
// object run twice at once, nor a change left unhandled.
import type { KubeObject, ResourceRef } from '@fedora-operators/framework';
import { CoreResources } from '@fedora-operators/framework';
import { describeRunLedger } from '../../src/testing/run-ledger.ts';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { ChangeLoad, moveDelays, pause, ReplicaSet, type ScaleRun } from './scale-harness.ts';

const SHARD = 'shard.operators.fedoraproject.org/operator';
// Long enough that a replica starved of CPU on a loaded machine still renews in time.
const LEASE = { duration: 8, renew: 6, retry: 1 };

let ns: TestNamespace;
let resource: ResourceRef;
let set: ReplicaSet | undefined;

beforeEach(async () => {
  ns = await createTestNamespace('shards');
  resource = await ensureTestCrd(ns.client, 'ScaleRun');
});
afterEach(async () => {
  set?.killAll();
  set = undefined;
  await ns.dispose();
});

function replicas(shards: number, handlerMs: number): ReplicaSet {
  set = new ReplicaSet(
    [
      '--namespace', ns.name,
      '--shards', String(shards),
      '--lease-namespace', ns.name,
      '--lease-duration', String(LEASE.duration),
      '--renew-deadline', String(LEASE.renew),
      '--retry-period', String(LEASE.retry),
      '--shard-settle', '20',
    ], // prettier-ignore
    { SCALE_HANDLER_MS: String(handlerMs) },
  );
  return set;
}

const ownerCounts = (objects: ScaleRun[]) => {
  const counts: Record<string, number> = {};
  for (const o of objects) {
    const owner = o.metadata.labels?.[SHARD] ?? '(none)';
    counts[owner] = (counts[owner] ?? 0) + 1;
  }
  return counts;
};

/** The ledger shows no overlapping run, no lost change, no stuck run. */
function expectCleanLedger(replicaSet: ReplicaSet, load: ChangeLoad): void {
  expect(describeRunLedger(replicaSet.check(load.lastChange))).toEqual([]);
}

/** The ShardMoved Events of the namespace, once there are at least `count`. */
function movedEvents(count: number): Promise<{ note?: string }[]> {
  return eventually(
    async () => {
      const { items } = await ns.client.list<KubeObject & { reason?: string; note?: string }>(
        CoreResources.event,
        ns.name,
      );
      const moved = items.filter((e) => e.reason === 'ShardMoved');
      return moved.length >= count ? moved : undefined;
    },
    { what: `${count} ShardMoved Events` },
  );
}

test('three replicas split the objects, each runs only its own', async () => {
  const rs = replicas(3, 20);
  for (const id of ['r-a', 'r-b', 'r-c']) await rs.start(id);
  const load = new ChangeLoad(ns, resource, ChangeLoad.names(60));
  await load.createAll();
  const objects = await load.settled(60_000);
  const counts = ownerCounts(objects);
  expect(Object.keys(counts).sort()).toEqual(['r-a', 'r-b', 'r-c']);
  for (const count of Object.values(counts)) expect(count).toBeGreaterThanOrEqual(8);
  // Every object ran once, on its owner: nothing ran before it was assigned, or twice.
  const owner = new Map(objects.map((o) => [load.key(o.metadata.name ?? ''), o.metadata.labels?.[SHARD]]));
  const runs = rs.runs();
  expect(runs.filter((r) => owner.get(r.object) !== r.replica)).toEqual([]);
  expect(runs.length).toBe(60);
  expectCleanLedger(rs, load);
}, 120_000);

test("a killed sharder replica's objects move once its Lease expired, and every change is handled", async () => {
  const rs = replicas(3, 20);
  const started = [await rs.start('r-a'), await rs.start('r-b'), await rs.start('r-c')];
  const load = new ChangeLoad(ns, resource, ChangeLoad.names(45));
  await load.createAll();
  const before = await load.settled(60_000);
  // The worst case: the replica killed is also the sharder, so its successor must take the
  // sharder Lease and find the dead member, both within the bound.
  const sharder = await ns.client.get<KubeObject<{ holderIdentity?: string }>>(
    CoreResources.lease,
    ns.name,
    'operator-sharder',
  );
  const gone = sharder.spec?.holderIdentity ?? '';
  const victim = started.find((r) => r.identity === gone);
  expect(victim).toBeDefined();
  const survivors = ['r-a', 'r-b', 'r-c'].filter((id) => id !== gone);
  const ofGone = before.filter((o) => o.metadata.labels?.[SHARD] === gone).length;
  expect(ofGone).toBeGreaterThan(0);
  load.start(30);
  await pause(1000);
  const killed = await rs.kill(victim as NonNullable<typeof victim>);
  await pause(8000);
  await load.stop();
  const after = await load.settled(60_000);
  const counts = ownerCounts(after);
  expect(Object.keys(counts).sort()).toEqual(survivors);
  expectCleanLedger(rs, load);
  const moved = await movedEvents(ofGone);
  expect(moved.length).toBe(ofGone);
  for (const e of moved)
    expect(e.note).toMatch(new RegExp(`^moved from ${gone} to r-[abc]: the Lease of ${gone} expired$`));
  // Within leaseDuration + retryPeriod of the kill (the new sharder takes its Lease within that
  // too, having watched the member Leases all along), plus a margin for a loaded machine.
  const delays = moveDelays(rs.runs(), load.changes, gone, killed).map((d) => d.ms);
  expect(delays.length).toBeGreaterThan(0);
  process.stderr.write(
    `[shards] after a kill -9 of the sharder replica, ${ofGone} objects moved; longest wait for a new owner ${Math.max(...delays)} ms\n`,
  );
  expect(Math.max(...delays)).toBeLessThan((LEASE.duration + LEASE.retry) * 1000 + 3000);
}, 120_000);

test('a new replica takes its share; runs in flight during the handoff never overlap', async () => {
  // Slow runs and a steady stream of changes: drains are asked for while runs are in flight.
  const rs = replicas(2, 1500);
  await rs.start('r-a');
  await rs.start('r-b');
  const load = new ChangeLoad(ns, resource, ChangeLoad.names(30));
  await load.createAll();
  await load.settled(60_000);
  load.start(20);
  await pause(2000);
  await rs.start('r-c');
  await eventually(() => ns.client.find(CoreResources.lease, ns.name, 'operator-shard-r-c'), {
    what: "the new replica's member Lease",
    timeoutMs: 30_000,
  });
  await pause(6000);
  await load.stop();
  const after = await load.settled(90_000);
  const counts = ownerCounts(after);
  expect(counts['r-c']).toBeGreaterThanOrEqual(5);
  expect(counts['(none)']).toBeUndefined();
  expectCleanLedger(rs, load);
  const moved = await movedEvents(counts['r-c'] ?? 0);
  for (const e of moved) expect(e.note).toMatch(/^moved from r-[ab] to r-c: r-[ab] drained it in \d+ ms$/);
}, 180_000);
