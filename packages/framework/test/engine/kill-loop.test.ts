// kill -9 of the operator, again and again, while objects are created and updated: in the end
// every object's status matches the last change of it the handler ran (an external append-only
// ledger of handler runs is the ground truth), no object is stuck, and a change is handled
// twice only across a kill (never twice by one process).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject, ResourceRef } from '@fedora-operators/framework';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { startChildOperator, type ChildOperator } from '../runtime/child-operator.ts';

// The suite's size; the full run is KILL_LOOP_OBJECTS=500 KILL_LOOP_KILLS=20.
const OBJECTS = Number(process.env.KILL_LOOP_OBJECTS ?? 100);
const KILLS = Number(process.env.KILL_LOOP_KILLS ?? 5);
const WAVES = 3;

type Condition = { type: string; status: string };
type Ledgered = KubeObject<
  { n: number },
  { n?: number; conditions?: Condition[]; observedGeneration?: number }
>;

let ns: TestNamespace;
let resource: ResourceRef;
const children: ChildOperator[] = [];
const ledger = join(mkdtempSync(join(tmpdir(), 'ledger-')), 'runs.log');

beforeAll(async () => {
  ns = await createTestNamespace('killloop');
  resource = await ensureTestCrd(ns.client, 'Ledgered');
  writeFileSync(ledger, '');
});
afterAll(async () => {
  for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
  await ns.dispose();
});

function start(): ChildOperator {
  const child = startChildOperator(`ledger-${children.length}`, ['--namespace', ns.name], {
    fixture: 'ledger-operator.mjs',
    env: { LEDGER_FILE: ledger },
  });
  children.push(child);
  return child;
}

const names = Array.from({ length: OBJECTS }, (_, i) => `obj-${String(i).padStart(3, '0')}`);

test(`${KILLS} kills under ${OBJECTS} objects with ${WAVES} update waves lose no status`, async () => {
  let operator = start();
  let writing = true;
  // Paced so that the waves overlap the kills: ~2 s of creates, then ~3 s per wave.
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const load = (async () => {
    for (const name of names) {
      await ns.client.create(resource, { metadata: { name, namespace: ns.name }, spec: { n: 0 } });
      await pause(20);
    }
    for (let wave = 1; wave <= WAVES; wave++) {
      for (const name of names) {
        await ns.client.mergePatch(resource, ns.name, name, { spec: { n: wave } });
        await pause(30);
      }
    }
    writing = false;
  })();
  await eventually(() => operator.output().includes('started'), {
    what: 'the first operator',
    timeoutMs: 20_000,
  });
  for (let kill = 0; kill < KILLS; kill++) {
    // Kill at a random moment while the operator is busy.
    await pause(1200 + Math.random() * 1000);
    operator.process.kill('SIGKILL');
    await operator.exited;
    operator = start();
  }
  await load;
  expect(writing).toBe(false);

  const objects = await eventually(
    async () => {
      const list = await ns.client.list<Ledgered>(resource, ns.name);
      const settled = list.items.filter(
        (o) =>
          o.status?.observedGeneration === o.metadata.generation &&
          o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      return settled.length === OBJECTS ? list.items : undefined;
    },
    { what: 'every object Ready at its current generation', timeoutMs: 60_000, intervalMs: 500 },
  );
  operator.process.kill('SIGTERM');
  await operator.exited;

  const runs = readFileSync(ledger, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [pid, name, n] = line.split(' ');
      return { pid, name, n: Number(n) };
    });
  const lastRun = new Map<string, number>();
  for (const run of runs) lastRun.set(run.name as string, run.n);
  const wrong = objects.filter(
    (o) => o.status?.n !== o.spec?.n || lastRun.get(o.metadata.name ?? '') !== o.spec?.n,
  );
  const seen = new Map<string, number>();
  for (const run of runs) {
    const key = `${run.pid} ${run.name} ${run.n}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const twiceInOneProcess = [...seen].filter(([, times]) => times > 1).map(([key]) => key);
  const acrossKills = runs.length - new Set(runs.map((r) => `${r.name} ${r.n}`)).size;
  process.stderr.write(
    `[kill-loop] ${runs.length} handler runs, ${acrossKills} repeated across kills, ` +
      `${wrong.length} objects with a wrong status, ${twiceInOneProcess.length} repeated within one process\n`,
  );
  expect(wrong.map((o) => `${o.metadata.name}: status ${o.status?.n}, spec ${o.spec?.n}`)).toEqual([]);
  expect(twiceInOneProcess).toEqual([]);
}, 600_000);
