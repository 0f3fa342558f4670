// A leader that cannot renew its Lease must stop acting before anyone else can take over:
// - frozen (SIGSTOP) past its lease and then woken, it writes nothing: not the result of the
//   handler it was running, not anything new;
// - cut off from the apiserver under load (its traffic blocked by a proxy, not refused), it
//   stops handling within the renew deadline; the other replica takes over within lease
//   duration + renew period, and no object is ever handled by both at once (counted from an
//   external ledger of handler runs).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject, ResourceRef } from '@fedora-operators/framework';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { startChildOperator, type ChildOperator } from './child-operator.ts';
import { startCuttableProxy, type CuttableProxy } from './cuttable-proxy.ts';
import { checkRunLedger, parseLedger } from '../../src/testing/run-ledger.ts';

const LEASE_SECONDS = 4;
const RETRY_SECONDS = 1;
const LEASE = [
  '--lease-duration',
  `${LEASE_SECONDS}`,
  '--renew-deadline',
  '3',
  '--retry-period',
  `${RETRY_SECONDS}`,
];
type Runner = KubeObject<{ sleepMs?: number }, { handledBy?: string }>;

let ns: TestNamespace;
let resource: ResourceRef;
const children: ChildOperator[] = [];
let proxy: CuttableProxy | undefined;
const dir = mkdtempSync(join(tmpdir(), 'leader-partition-'));

beforeAll(async () => {
  ns = await createTestNamespace('partition');
  resource = await ensureTestCrd(ns.client, 'Runner');
});
afterAll(async () => {
  for (const child of children) {
    if (child.process.exitCode === null) {
      child.process.kill('SIGCONT');
      child.process.kill('SIGKILL');
    }
  }
  await proxy?.close();
  await ns.dispose();
});

function start(identity: string, lease: string, ledger: string, kubeconfig?: string): ChildOperator {
  const args = ['--name', lease, '--namespace', ns.name, '--leader-elect', ...LEASE];
  const child = startChildOperator(identity, args, {
    env: { LEDGER_FILE: ledger, ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}) },
  });
  children.push(child);
  return child;
}

const create = (name: string, sleepMs: number) =>
  ns.client.create(resource, { metadata: { name, namespace: ns.name }, spec: { sleepMs } });
const handledBy = async (name: string) =>
  (await ns.client.find<Runner>(resource, ns.name, name))?.status?.handledBy;

test('a leader frozen past its lease wakes up and writes nothing', async () => {
  const ledger = join(dir, 'frozen.log');
  writeFileSync(ledger, '');
  const a = start('frozen-a', 'frozen', ledger);
  await eventually(() => a.output().includes('became leader'), {
    what: 'frozen-a to lead',
    timeoutMs: 20_000,
  });
  const b = start('frozen-b', 'frozen', ledger);
  await eventually(() => b.output().includes('started'), { what: 'frozen-b to start', timeoutMs: 20_000 });

  await create('in-flight', 2000);
  await eventually(() => a.output().includes('START in-flight'), { what: 'the handler to start on a' });
  a.process.kill('SIGSTOP');
  for (let i = 0; i < 3; i++) await create(`while-frozen-${i}`, 0);
  await eventually(
    async () =>
      (await handledBy('in-flight')) === 'frozen-b' && (await handledBy('while-frozen-2')) === 'frozen-b',
    { what: 'frozen-b to take over', timeoutMs: 20_000 },
  );
  const startsBefore = a.output().split('START ').length;
  a.process.kill('SIGCONT');
  await eventually(() => a.output().includes('leadership lost'), { what: 'a to notice', timeoutMs: 10_000 });
  // A deposed leader stops: once its process has exited, it cannot have written anything later.
  await Promise.race([
    a.exited,
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error('a did not exit after losing its lease')), 15_000),
    ),
  ]);
  expect(await handledBy('in-flight')).toBe('frozen-b');
  for (let i = 0; i < 3; i++) expect(await handledBy(`while-frozen-${i}`)).toBe('frozen-b');
  expect(a.output().split('START ').length).toBe(startsBefore);
  b.process.kill('SIGTERM');
  await b.exited;
});

test('a leader cut off from the apiserver under load stops before the other takes over', async () => {
  const ledger = join(dir, 'partition.log');
  writeFileSync(ledger, '');
  const kubeconfig = process.env.KUBECONFIG as string;
  const original = readFileSync(kubeconfig, 'utf8');
  const server = /server:\s*(\S+)/.exec(original)?.[1] as string;
  proxy = await startCuttableProxy(new URL(server));
  const proxied = join(dir, 'kubeconfig-proxied');
  writeFileSync(proxied, original.replace(server, proxy.url));

  const a = start('cut-a', 'cut', ledger, proxied);
  await eventually(() => a.output().includes('became leader'), { what: 'cut-a to lead', timeoutMs: 20_000 });
  const b = start('cut-b', 'cut', ledger);
  await eventually(() => b.output().includes('started'), { what: 'cut-b to start', timeoutMs: 20_000 });

  // Load: a steady stream of objects with handlers long enough to straddle the cut.
  let creating = true;
  const names: string[] = [];
  const load = (async () => {
    for (let i = 0; creating; i++) {
      names.push(`load-${i}`);
      await create(`load-${i}`, 4000 + (i % 3) * 2000);
      await new Promise((r) => setTimeout(r, 150));
    }
  })();
  await eventually(() => a.output().includes('START load-5'), { what: 'a to be busy', timeoutMs: 20_000 });
  proxy.cut();
  const cutAt = Date.now();
  await eventually(() => b.output().includes('became leader'), {
    what: 'cut-b to take over',
    timeoutMs: 20_000,
  });
  const takeoverMs = Date.now() - cutAt;
  await new Promise((r) => setTimeout(r, 2000));
  creating = false;
  await load;
  await eventually(
    async () => {
      for (const name of names) if (!(await handledBy(name))) return false;
      return true;
    },
    { what: 'every object handled', timeoutMs: 60_000, intervalMs: 500 },
  );

  // From the ledger: no two processes' runs of one object may overlap.
  const report = checkRunLedger(parseLedger(readFileSync(ledger, 'utf8')), new Map(), Date.now());
  const replicasOf = new Map<string, Set<string>>();
  for (const run of report.runs)
    replicasOf.set(run.object, (replicasOf.get(run.object) ?? new Set()).add(run.replica));
  const overlaps = report.overlaps.map((o) => `${o.object}: ${o.first.replica} and ${o.second.replica}`);
  const both = [...replicasOf.values()].filter((replicas) => replicas.size > 1).length;
  process.stderr.write(
    `[leader-partition] takeover ${takeoverMs} ms after the cut; ${names.length} objects, ` +
      `${both} handled by both replicas one after the other, ${overlaps.length} at the same time\n`,
  );
  expect(overlaps).toEqual([]);
  expect(takeoverMs).toBeLessThan((LEASE_SECONDS + RETRY_SECONDS) * 1000 + 1500);
  b.process.kill('SIGTERM');
  await b.exited;
});
