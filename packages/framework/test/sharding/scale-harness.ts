// Several replicas of one operator as child processes on the real apiserver, each its own
// identity (POD_NAME) and health port, all appending their handler runs to one append-only run
// ledger (fixtures/scale-ledger-operator.mjs); a load of spec changes that remembers the last
// change of every object; and the checks the sharding tests share: settle (every object's
// status shows its last change), then the ledger checked for overlapping runs, lost changes and
// stuck runs (the testing kit's run-ledger.ts).
//
// How it fails: a replica that exits on its own is recorded in the ledger like a killed one and
// shows up as lost changes or stuck objects; waits time out with what they waited for; a patch
// the apiserver refuses fails the load (the test), never skipped silently.
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CoreResources, type KubeObject, type ResourceRef } from '@fedora-operators/framework';
import { freePort } from '../../src/testing/control-plane-parts.ts';
import {
  checkRunLedger,
  formatLedgerEntry,
  ledgeredRuns,
  parseLedger,
  type LedgeredRun,
  type RunLedgerReport,
} from '../../src/testing/run-ledger.ts';
import type { TestNamespace } from '../../../../test/support/cluster.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { startChildOperator, type ChildOperator } from '../runtime/child-operator.ts';

export type ScaleRun = KubeObject<
  { n: number },
  { n?: number; handledBy?: string; observedGeneration?: number }
>;

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The member and sharder Lease timings of the scale tests: client-go's shape (15/10/2) made
 * shorter, but not as short as the small engine tests' 4/3/1 — at load 15-20 on this shared
 * 2-core machine, replicas busy with hundreds of new objects missed a 3 s renew deadline and
 * (correctly) stopped themselves, which is not the disruption a test asks for.
 */
export const LEASE = { durationSeconds: 10, renewSeconds: 8, retrySeconds: 2 };
export const leaseArgs = [
  '--lease-duration',
  `${LEASE.durationSeconds}`,
  '--renew-deadline',
  `${LEASE.renewSeconds}`,
  '--retry-period',
  `${LEASE.retrySeconds}`,
];

export interface Replica {
  identity: string;
  child: ChildOperator;
  healthPort: number;
  /** When the harness saw its process end (Date.now()), once it has. */
  exitedAt?: number;
}

export class ReplicaSet {
  readonly ledger: string;
  readonly replicas: Replica[] = [];

  /** `args`: the command line every replica gets after the module (namespaces, sharding, lease). */
  constructor(
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv = {},
    ledger?: string,
  ) {
    this.ledger = ledger ?? join(mkdtempSync(join(tmpdir(), 'scale-ledger-')), 'runs.jsonl');
    writeFileSync(this.ledger, '', { flag: 'a' });
  }

  async start(identity: string, extraArgs: string[] = []): Promise<Replica> {
    const healthPort = await freePort();
    const child = startChildOperator(
      identity,
      [...this.args, '--health-port', String(healthPort), ...extraArgs],
      { fixture: 'scale-ledger-operator.mjs', env: { ...this.env, LEDGER_FILE: this.ledger } },
    );
    const replica: Replica = { identity, child, healthPort };
    // The supervisor's word that this replica can run nothing more: closes its open runs.
    child.process.once('exit', () => {
      replica.exitedAt = Date.now();
      appendFileSync(
        this.ledger,
        formatLedgerEntry({ event: 'exit', replica: identity, at: replica.exitedAt }),
      );
    });
    this.replicas.push(replica);
    return replica;
  }

  live(): Replica[] {
    return this.replicas.filter((r) => r.exitedAt === undefined);
  }

  /** /readyz answers 200: what a Deployment waits for before it stops the next old pod. */
  async ready(replica: Replica, timeoutMs = 60_000): Promise<void> {
    await eventually(
      async () => {
        if (replica.exitedAt !== undefined)
          throw new Error(`${replica.identity} exited:\n${replica.child.output().slice(-2000)}`);
        const response = await fetch(`http://127.0.0.1:${replica.healthPort}/readyz`);
        return response.status === 200;
      },
      { what: `${replica.identity} ready`, timeoutMs, intervalMs: 200 },
    );
  }

  /** kill -9; resolves with the time of the kill once the process is gone. */
  async kill(replica: Replica): Promise<number> {
    const at = Date.now();
    replica.child.process.kill('SIGKILL');
    await replica.child.exited;
    return at;
  }

  /** SIGTERM, as the kubelet sends on scale-down; resolves with the exit code. */
  async terminate(replica: Replica, timeoutMs = 60_000): Promise<number | null> {
    replica.child.process.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${replica.identity} did not exit within ${timeoutMs} ms of SIGTERM`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([replica.child.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.live().map((r) => this.terminate(r).catch(() => this.kill(r))));
  }

  killAll(): void {
    for (const r of this.live()) r.child.process.kill('SIGKILL');
  }

  runs(): LedgeredRun[] {
    return ledgeredRuns(parseLedger(readFileSync(this.ledger, 'utf8')));
  }

  check(lastChange: ReadonlyMap<string, number>): RunLedgerReport {
    return checkRunLedger(parseLedger(readFileSync(this.ledger, 'utf8')), lastChange, Date.now());
  }

  outputOf(identity: string): string {
    return this.replicas.find((r) => r.identity === identity)?.child.output() ?? '';
  }

  /**
   * Each replica's state and last output lines, for a failing test's message; the whole output
   * of each is kept next to the ledger.
   */
  describe(lines = 15): string {
    return this.replicas
      .map((r) => {
        const file = join(dirname(this.ledger), `${r.identity}.log`);
        writeFileSync(file, r.child.output());
        const state =
          r.exitedAt === undefined
            ? 'running'
            : `exited (${r.child.process.exitCode ?? r.child.process.signalCode})`;
        const tail = r.child.output().trimEnd().split('\n').slice(-lines).join('\n  ');
        return `--- ${r.identity}: ${state} (all of it in ${file})\n  ${tail}`;
      })
      .join('\n');
  }
}

/** Objects of the test's kind in one namespace, and a steady load of spec changes to them. */
export class ChangeLoad {
  /** namespace/name -> the last spec.n the apiserver accepted. */
  readonly lastChange = new Map<string, number>();
  /** Every accepted change, with the time its write returned. */
  readonly changes: { object: string; n: number; at: number }[] = [];
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly ns: TestNamespace,
    private readonly resource: ResourceRef,
    readonly names: string[],
  ) {}

  static names(count: number, prefix = 'obj'): string[] {
    return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);
  }

  key(name: string): string {
    return `${this.ns.name}/${name}`;
  }

  /** Creates every object with spec.n = 0, `parallel` writes at a time. */
  async createAll(parallel = 16): Promise<void> {
    await this.eachObject(parallel, async (name) => {
      await this.ns.client.create(this.resource, {
        metadata: { name, namespace: this.ns.name },
        spec: { n: 0 },
      });
      this.record(name, 0);
    });
  }

  /** Changes every object once (spec.n + 1), `parallel` writes at a time. */
  async changeAll(parallel = 16): Promise<void> {
    await this.eachObject(parallel, async (name) => {
      const n = (this.lastChange.get(this.key(name)) ?? 0) + 1;
      await this.ns.client.mergePatch(this.resource, this.ns.name, name, { spec: { n } });
      this.record(name, n);
    });
  }

  private async eachObject(parallel: number, write: (name: string) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < this.names.length) await write(this.names[next++] as string);
    };
    await Promise.all(Array.from({ length: parallel }, worker));
  }

  private record(name: string, n: number): void {
    const object = this.key(name);
    this.lastChange.set(object, n);
    this.changes.push({ object, n, at: Date.now() });
  }

  /**
   * Changes objects round-robin at about `perSecond` (each change bumps spec.n) until stop().
   * Below the replicas' capacity, so a change waits for its owner, not for a queue.
   */
  start(perSecond: number): void {
    if (this.running) throw new Error('the load is already running');
    this.stopping = false;
    const tickMs = 100;
    const perTick = Math.max(1, Math.round((perSecond * tickMs) / 1000));
    let cursor = 0;
    this.running = (async () => {
      while (!this.stopping) {
        const began = Date.now();
        const batch = Array.from(
          { length: perTick },
          () => this.names[cursor++ % this.names.length] as string,
        );
        await Promise.all(
          batch.map(async (name) => {
            const n = (this.lastChange.get(this.key(name)) ?? 0) + 1;
            await this.ns.client.mergePatch(this.resource, this.ns.name, name, { spec: { n } });
            this.record(name, n);
          }),
        );
        await pause(Math.max(0, tickMs - (Date.now() - began)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    this.running = undefined;
  }

  /**
   * Waits until every object's status shows its last change; returns the objects. On timeout,
   * the error names a few objects that did not get there, with their labels and status.
   */
  async settled(timeoutMs = 120_000, ledgerOf?: ReplicaSet): Promise<ScaleRun[]> {
    let pending: ScaleRun[] = [];
    const deadline = Date.now() + timeoutMs;
    // With the replicas' ledger, wait on it first: it costs the apiserver nothing, whereas a list
    // of thousands of objects every second would load the very apiserver a test measures.
    if (ledgerOf)
      await eventually(() => ledgerOf.check(this.lastChange).lost.length === 0, {
        what: `the ledger to show every last change in ${this.ns.name} run`,
        timeoutMs,
        intervalMs: 1000,
      }).catch(() => undefined);
    try {
      return await eventually(
        async () => {
          const list = await this.ns.client.list<ScaleRun>(this.resource, this.ns.name);
          pending = list.items.filter(
            (o) => o.status?.n !== this.lastChange.get(this.key(o.metadata.name ?? '')),
          );
          return pending.length === 0 && list.items.length === this.names.length ? list.items : undefined;
        },
        {
          what: `all ${this.names.length} objects in ${this.ns.name} to show their last change`,
          timeoutMs: Math.max(5000, deadline - Date.now()),
          intervalMs: 1000,
        },
      );
    } catch (error) {
      const shown = pending
        .slice(0, 5)
        .map(
          (o) =>
            `${o.metadata.name}: spec ${o.spec?.n}, status ${o.status?.n}, labels ${JSON.stringify(o.metadata.labels ?? {})}`,
        );
      throw new Error(`${String(error)}; ${pending.length} not settled, e.g.\n${shown.join('\n')}`, {
        cause: error,
      });
    }
  }
}

/** Runs of `objects` that finished, and the rate they finished at from the first start to the last end. */
export function handledRate(
  runs: LedgeredRun[],
  objects: ReadonlySet<string>,
): { count: number; seconds: number; perSecond: number } {
  const mine = runs.filter((r) => r.ok && objects.has(r.object));
  const first = Math.min(...mine.map((r) => r.from));
  const last = Math.max(...mine.map((r) => r.to ?? r.from));
  const seconds = (last - first) / 1000;
  return { count: mine.length, seconds, perSecond: mine.length / seconds };
}

/**
 * How long the objects a replica owned waited for a new owner after it went away at `at`: for
 * each object whose last run before `at` was on `gone`, from max(at, its first change after
 * `at`) to the first run of it on another replica. Objects with no change after `at` need not
 * move yet and are left out.
 */
export function moveDelays(
  runs: LedgeredRun[],
  changes: { object: string; at: number }[],
  gone: string,
  at: number,
): { object: string; ms: number }[] {
  const lastBefore = new Map<string, string>();
  for (const r of runs) if (r.from < at) lastBefore.set(r.object, r.replica);
  const delays: { object: string; ms: number }[] = [];
  for (const [object, replica] of lastBefore) {
    if (replica !== gone) continue;
    const change = changes.find((c) => c.object === object && c.at >= at);
    const next = runs.find((r) => r.object === object && r.from >= at && r.replica !== gone);
    if (!change || !next) continue;
    delays.push({ object, ms: next.from - Math.max(at, change.at) });
  }
  return delays;
}

export interface ShardMove {
  object: string;
  from: string;
  to: string;
  /** The sharder's time of the move (its ShardMoved Event's eventTime, posted after the label write). */
  at: number;
  why: string;
}

/** The moves the sharder reported in `ns`, from its ShardMoved Events. */
export async function shardMoves(ns: TestNamespace): Promise<ShardMove[]> {
  type MovedEvent = KubeObject & {
    reason?: string;
    note?: string;
    eventTime?: string;
    regarding?: { name?: string };
  };
  const { items } = await ns.client.list<MovedEvent>(CoreResources.event, ns.name);
  return items.flatMap((e) => {
    const parts = e.reason === 'ShardMoved' ? /^moved from (\S+) to (\S+): (.*)$/.exec(e.note ?? '') : null;
    if (!parts || !e.eventTime) return [];
    const [, from = '', to = '', why = ''] = parts;
    return [{ object: `${ns.name}/${e.regarding?.name}`, from, to, at: Date.parse(e.eventTime), why }];
  });
}

export function summary(report: RunLedgerReport): string {
  return (
    `${report.runs.length} runs, ${report.moves} moves, ${report.overlaps.length} overlaps, ` +
    `${report.lost.length} lost, ${report.stuck.length} stuck`
  );
}
