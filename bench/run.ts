// `npm run bench [-- --n 10000] [-- --only ours,raw] [-- --profile]`: one local control plane
// (etcd + kube-apiserver), the same CRD and workload through three operators one after
// another, each its own OS process in a fresh namespace: our framework, Kopf (pinned, from
// PyPI into a venv this script makes) and a raw list+watch+patch loop. Prints a table and
// writes it as JSON under bench/results/. See bench/README.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { cpus, homedir, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startControlPlane, stopControlPlane, type ClusterState } from '../test/cluster/control-plane.ts';
import { GROUP, Kube, objectsPath, type KubeObject } from './lib/kube.ts';
import { ProcSampler } from './lib/proc.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const KOPF_VERSION = '1.45.2';
const STORM_CHANGES = 5;
const OPERATORS = ['ours', 'kopf', 'raw'] as const;
type OperatorId = (typeof OPERATORS)[number];

class BenchError extends Error {}
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => ms / 1000;

const { values: flags } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    only: { type: 'string', default: OPERATORS.join(',') },
    parallel: { type: 'string', default: '32' },
    profile: { type: 'boolean', default: false },
    // Leaves the update storm out: at large N on a shared machine it takes most of the run.
    'skip-storm': { type: 'boolean', default: false },
  },
});
const N = Number(flags.n);
const PARALLEL = Number(flags.parallel);
const selected = flags.only.split(',').map((s) => s.trim()) as OperatorId[];
if (!Number.isInteger(N) || N < 1) throw new BenchError(`--n must be a positive integer, got ${flags.n}`);
for (const id of selected) {
  if (!OPERATORS.includes(id)) throw new BenchError(`--only takes ${OPERATORS.join(',')}; got '${id}'`);
}

// ---- Kopf in its own venv ----------------------------------------------------------------

const venv = process.env.BENCH_KOPF_VENV ?? join(homedir(), '.cache', 'bench-kopf-venv');

function ensureKopf(): string {
  const kopf = join(venv, 'bin', 'kopf');
  const python = join(venv, 'bin', 'python');
  const installedVersion = () =>
    existsSync(python)
      ? spawnSync(python, ['-c', 'import importlib.metadata as m; print(m.version("kopf"))'], {
          encoding: 'utf8',
        }).stdout?.trim()
      : undefined;
  if (installedVersion() === KOPF_VERSION && existsSync(kopf)) return kopf;
  const run = (what: string, command: string, args: string[]) => {
    log(what);
    const r = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) {
      const why = r.error ? String(r.error) : `exit ${r.status}\n${(r.stderr || r.stdout).slice(-2000)}`;
      throw new BenchError(
        `bench: cannot install Kopf ${KOPF_VERSION}: '${command} ${args.join(' ')}' failed: ${why}\n` +
          `The Kopf column needs Python 3 with venv and pip, and PyPI; set BENCH_PYTHON to another ` +
          `interpreter or run with --only ours,raw to leave Kopf out on purpose.`,
      );
    }
  };
  const python3 = process.env.BENCH_PYTHON ?? 'python3';
  run(`creating the Kopf venv in ${venv}`, python3, ['-m', 'venv', '--clear', venv]);
  run(`installing kopf==${KOPF_VERSION} from PyPI`, python, [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    `kopf==${KOPF_VERSION}`,
  ]);
  if (installedVersion() !== KOPF_VERSION || !existsSync(kopf)) {
    throw new BenchError(`bench: pip reported success but ${kopf} is not Kopf ${KOPF_VERSION}`);
  }
  return kopf;
}

// ---- watching what the operators wrote -------------------------------------------------

/** Follows one namespace and records when each object was first seen handled, stormed, resumed. */
class Tracker {
  readonly handled = new Map<string, number>();
  readonly stormDone = new Map<string, number>();
  readonly resumed = new Map<string, number>();
  readonly probeHandled = new Set<string>();
  private readonly abort = new AbortController();
  private readonly kube: Kube;
  private readonly ns: string;
  failure: unknown;

  constructor(kube: Kube, ns: string) {
    this.kube = kube;
    this.ns = ns;
  }

  async start(): Promise<void> {
    const { items, resourceVersion } = await this.kube.listAll(this.ns);
    items.forEach((o) => this.observe(o));
    void this.loop(resourceVersion);
  }

  private async loop(resourceVersion: string): Promise<void> {
    let rv = resourceVersion;
    while (!this.abort.signal.aborted) {
      try {
        for await (const event of this.kube.watch(this.ns, rv, this.abort.signal)) {
          if (event.type === 'ERROR') throw new Error(`watch error: ${JSON.stringify(event.object)}`);
          rv = event.object.metadata.resourceVersion ?? rv;
          if (event.type === 'ADDED' || event.type === 'MODIFIED') this.observe(event.object);
        }
      } catch (error) {
        if (!this.abort.signal.aborted) this.failure = error;
        return;
      }
    }
  }

  private observe(object: KubeObject): void {
    const t = Date.now();
    const { name } = object.metadata;
    const status = object.status ?? {};
    if (!name.startsWith('obj-')) {
      if (status.handledAt !== undefined) this.probeHandled.add(name);
      return;
    }
    if (status.handledAt !== undefined && !this.handled.has(name)) this.handled.set(name, t);
    if (status.seq === STORM_CHANGES && !this.stormDone.has(name)) this.stormDone.set(name, t);
    if (status.resumedAt !== undefined && !this.resumed.has(name)) this.resumed.set(name, t);
  }

  stop(): void {
    this.abort.abort();
  }
}

// ---- operators as processes ---------------------------------------------------------------

interface Running {
  child: ChildProcess;
  sampler: ProcSampler;
  startedAt: number;
  logFile: string;
}

function operatorCommand(id: OperatorId, ns: string, kopf: string, profDir: string): [string, string[]] {
  switch (id) {
    case 'ours':
      return [
        process.execPath,
        [
          ...(flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
          join(root, 'packages/framework/dist/cli/bin.js'),
          'run',
          join(here, 'operators/ours.mjs'),
          '--namespace',
          ns,
          '--name',
          'bench-ours',
          '--log-level',
          'warn',
        ],
      ];
    case 'kopf':
      return [kopf, ['run', '--standalone', '--quiet', '-n', ns, join(here, 'operators/kopf_handler.py')]];
    case 'raw':
      return [process.execPath, [join(here, 'operators/raw.mjs'), ns]];
  }
}

function launch(id: OperatorId, ns: string, kubeconfig: string, kopf: string, outDir: string, tag: string) {
  const [command, args] = operatorCommand(id, ns, kopf, join(outDir, 'profiles'));
  const logFile = join(outDir, `${id}-${tag}.log`);
  const out = openSync(logFile, 'a');
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, KUBECONFIG: kubeconfig, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  if (child.pid === undefined) throw new BenchError(`bench: could not start ${command}`);
  children.add(child);
  child.on('exit', () => children.delete(child));
  const running: Running = { child, sampler: new ProcSampler(child.pid), startedAt: Date.now(), logFile };
  return running;
}

async function stopOperator(op: Running): Promise<number> {
  const started = Date.now();
  op.sampler.sample();
  if (op.child.exitCode === null && op.child.signalCode === null) {
    const exited = new Promise((r) => op.child.once('exit', r));
    op.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise((r) => (timer = setTimeout(() => r('timeout'), 40_000)));
    const result = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      log(`${op.child.spawnfile} did not stop within 40 s of SIGTERM; killing it`);
      op.child.kill('SIGKILL');
      await exited;
    }
  }
  op.sampler.stop();
  return seconds(Date.now() - started);
}

const children = new Set<ChildProcess>();

function tail(file: string, lines = 30): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
}

async function waitUntil(
  what: string,
  done: () => boolean,
  timeoutMs: number,
  op: Running,
  tracker: Tracker,
) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (tracker.failure) throw new BenchError(`bench: the driver's watch failed: ${String(tracker.failure)}`);
    if (op.child.exitCode !== null || op.child.signalCode !== null) {
      throw new BenchError(
        `bench: the operator exited (${op.child.exitCode ?? op.child.signalCode}) while waiting for ${what}\n` +
          `--- ${op.logFile} ---\n${tail(op.logFile)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new BenchError(
        `bench: timed out after ${timeoutMs / 1000}s waiting for ${what}\n--- ${op.logFile} ---\n${tail(op.logFile)}`,
      );
    }
    await sleep(25);
  }
}

// ---- the workload ------------------------------------------------------------------------

const name = (i: number) => `obj-${String(i).padStart(6, '0')}`;

async function withRetry<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const status = (error as { status?: number }).status ?? 0;
      if (attempt >= 5 || (status !== 0 && status !== 429 && status < 500)) throw error;
      await sleep(100 * 2 ** attempt);
    }
  }
}

/** Runs job(0..count-1) with at most `parallel` at once. */
async function bounded(count: number, parallel: number, job: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
}

function createObject(kube: Kube, ns: string, objectName: string) {
  return withRetry(() =>
    kube.request('POST', objectsPath(ns), {
      apiVersion: `${GROUP}/v1`,
      kind: 'BenchObject',
      metadata: { name: objectName },
      spec: { createdAt: new Date().toISOString(), seq: 0, payload: 'x'.repeat(64) },
    }),
  );
}

async function createNamespace(kube: Kube, ns: string): Promise<void> {
  await kube.request('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
}

async function deleteObjects(kube: Kube, ns: string): Promise<void> {
  await kube.request('DELETE', objectsPath(ns)).catch((e: unknown) => log(`cleanup of ${ns}: ${String(e)}`));
}

function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN };
}

interface OperatorResult {
  operator: OperatorId;
  version: string;
  startupSeconds: number;
  createPhaseSeconds: number;
  handledSeconds: number;
  objectsPerSecond: number;
  latencyMs: ReturnType<typeof percentiles>;
  observedLatencyMs: ReturnType<typeof percentiles>;
  peakRssMiB: number;
  rssAfterCachedMiB: number;
  cpuSecondsCreatePhase: number;
  storm: { changes: number; handlerRuns: number; runsPerObject: number; seconds: number; cpuSeconds: number };
  restart: { catchUpSeconds: number; rssAfterMiB: number; peakRssMiB: number; cpuSeconds: number };
  cpuSecondsTotal: number;
  stopSeconds: number;
}

/** Every object's spec.seq changed STORM_CHANGES times in a row, 32 objects at once; how the operator kept up. */
async function runStorm(
  id: OperatorId,
  kube: Kube,
  ns: string,
  op: Running,
  tracker: Tracker,
  phaseTimeout: number,
): Promise<OperatorResult['storm']> {
  log(`${id}: update storm (${STORM_CHANGES} spec changes per object)`);
  const cpuStorm0 = op.sampler.sample().cpuSeconds;
  const stormStart = Date.now();
  await bounded(N, PARALLEL, async (i) => {
    for (let seq = 1; seq <= STORM_CHANGES; seq++) {
      await withRetry(() =>
        kube.request(
          'PATCH',
          `${objectsPath(ns)}/${name(i)}`,
          { spec: { seq } },
          'application/merge-patch+json',
        ),
      );
    }
  });
  await waitUntil('the storm to be handled', () => tracker.stormDone.size >= N, phaseTimeout, op, tracker);
  const stormSeconds = seconds(Math.max(...tracker.stormDone.values()) - stormStart);
  await sleep(2000); // runs still queued after the last change would show up here
  const stormCpu = op.sampler.sample().cpuSeconds - cpuStorm0;
  const afterStorm = (await kube.listAll(ns)).items.filter((o) => o.metadata.name.startsWith('obj-'));
  const handlerRuns = afterStorm.reduce((sum, o) => sum + Number(o.status?.updateRuns ?? 0), 0);
  return {
    changes: STORM_CHANGES * N,
    handlerRuns,
    runsPerObject: handlerRuns / N,
    seconds: stormSeconds,
    cpuSeconds: stormCpu,
  };
}

async function benchOperator(
  id: OperatorId,
  kube: Kube,
  cluster: ClusterState,
  kopf: string,
  outDir: string,
): Promise<OperatorResult> {
  const ns = `bench-${id}-${Date.now().toString(36)}`;
  await createNamespace(kube, ns);
  const tracker = new Tracker(kube, ns);
  await tracker.start();
  const phaseTimeout = 120_000 + N * 300;
  log(`${id}: starting in namespace ${ns}`);
  let op = launch(id, ns, cluster.kubeconfig, kopf, outDir, 'run');
  try {
    // Ready = it handled a probe object (the same test for all three).
    await createObject(kube, ns, 'probe');
    await waitUntil(
      'the probe object to be handled',
      () => tracker.probeHandled.has('probe'),
      120_000,
      op,
      tracker,
    );
    const startupSeconds = seconds(Date.now() - op.startedAt);
    const cpu0 = op.sampler.sample().cpuSeconds;

    log(`${id}: creating ${N} objects (${PARALLEL} at once)`);
    const firstCreate = Date.now();
    await bounded(N, PARALLEL, (i) => createObject(kube, ns, name(i)));
    const createPhaseSeconds = seconds(Date.now() - firstCreate);
    log(`${id}: created in ${createPhaseSeconds.toFixed(1)} s; waiting for all to be handled`);
    await waitUntil(`${N} objects handled`, () => tracker.handled.size >= N, phaseTimeout, op, tracker);
    const lastObserved = Math.max(...tracker.handled.values());
    await sleep(1000); // settle: let the last status writes and caches land before measuring
    const afterCreate = op.sampler.sample();

    const { items } = await kube.listAll(ns);
    const objects = items.filter((o) => o.metadata.name.startsWith('obj-'));
    const created = objects.map((o) => Date.parse(String(o.spec?.createdAt)));
    const stamped = objects.map((o) => Date.parse(String(o.status?.handledAt)));
    const latencies = objects.map((_, i) => (stamped[i] as number) - (created[i] as number));
    const observed = objects.map(
      (o, i) => (tracker.handled.get(o.metadata.name) as number) - (created[i] as number),
    );
    const handledSeconds = seconds(lastObserved - Math.min(...created));

    const storm = flags['skip-storm']
      ? { changes: 0, handlerRuns: NaN, runsPerObject: NaN, seconds: NaN, cpuSeconds: NaN }
      : await runStorm(id, kube, ns, op, tracker, phaseTimeout);

    log(`${id}: restart (resume every object)`);
    const stopSeconds = await stopOperator(op);
    const first = op;
    const firstCpu = first.sampler.last.cpuSeconds;
    op = launch(id, ns, cluster.kubeconfig, kopf, outDir, 'restart');
    await waitUntil(
      'every object resumed after a restart',
      () => tracker.resumed.size >= N,
      phaseTimeout,
      op,
      tracker,
    );
    const catchUpSeconds = seconds(Math.max(...tracker.resumed.values()) - op.startedAt);
    await sleep(1000);
    const afterRestart = op.sampler.sample();
    await stopOperator(op);

    return {
      operator: id,
      version: id === 'kopf' ? `kopf ${KOPF_VERSION}` : id === 'ours' ? 'framework 0.1.0' : 'node:https',
      startupSeconds,
      createPhaseSeconds,
      handledSeconds,
      objectsPerSecond: N / handledSeconds,
      latencyMs: percentiles(latencies),
      observedLatencyMs: percentiles(observed),
      peakRssMiB: first.sampler.peakRssMiB,
      rssAfterCachedMiB: afterCreate.rssMiB,
      cpuSecondsCreatePhase: afterCreate.cpuSeconds - cpu0,
      storm,
      restart: {
        catchUpSeconds,
        rssAfterMiB: afterRestart.rssMiB,
        peakRssMiB: op.sampler.peakRssMiB,
        cpuSeconds: afterRestart.cpuSeconds,
      },
      cpuSecondsTotal: firstCpu,
      stopSeconds,
    };
  } finally {
    tracker.stop();
    await stopOperator(op);
    await deleteObjects(kube, ns);
  }
}

/** Warms the apiserver and etcd once: the same kind of writes, no operator. */
async function warmUp(kube: Kube): Promise<void> {
  const ns = 'bench-warmup';
  const count = Math.min(N, 500);
  log(`warming up the apiserver (${count} creates, status patches and a list)`);
  await createNamespace(kube, ns);
  await bounded(count, PARALLEL, (i) => createObject(kube, ns, name(i)));
  await bounded(count, PARALLEL, (i) =>
    kube.mergePatchStatus(ns, name(i), { handledAt: new Date().toISOString() }),
  );
  await kube.listAll(ns);
  await deleteObjects(kube, ns);
}

// ---- the table -----------------------------------------------------------------------------

function table(results: OperatorResult[]): string {
  const by = (id: OperatorId) => results.find((r) => r.operator === id);
  const rows: [string, (r: OperatorResult) => number, number][] = [
    ['startup to first handled (s)', (r) => r.startupSeconds, 1],
    ['create phase, apiserver (s)', (r) => r.createPhaseSeconds, 1],
    ['first create -> last handled (s)', (r) => r.handledSeconds, 1],
    ['throughput (objects/s)', (r) => r.objectsPerSecond, 0],
    ['latency p50 (ms)', (r) => r.latencyMs.p50, 0],
    ['latency p95 (ms)', (r) => r.latencyMs.p95, 0],
    ['latency p99 (ms)', (r) => r.latencyMs.p99, 0],
    ['peak RSS (MiB)', (r) => r.peakRssMiB, 0],
    [`RSS with ${N} cached (MiB)`, (r) => r.rssAfterCachedMiB, 0],
    ['CPU, create phase (s)', (r) => r.cpuSecondsCreatePhase, 1],
    [`storm: handler runs / ${STORM_CHANGES * N} changes`, (r) => r.storm.handlerRuns, 0],
    ['storm: until settled (s)', (r) => r.storm.seconds, 1],
    ['storm: CPU (s)', (r) => r.storm.cpuSeconds, 1],
    [`restart: resume all ${N} (s)`, (r) => r.restart.catchUpSeconds, 1],
    ['restart: RSS after (MiB)', (r) => r.restart.rssAfterMiB, 0],
    ['restart: CPU (s)', (r) => r.restart.cpuSeconds, 1],
    ['CPU, whole first run (s)', (r) => r.cpuSecondsTotal, 1],
  ];
  const cols = ['metric', ...OPERATORS.filter((id) => by(id)), 'ours/kopf', 'ours/raw'];
  const lines = rows.map(([label, get, digits]) => {
    // NaN: a phase left out (--skip-storm).
    const shown = (value: number, d: number) => (Number.isNaN(value) ? '-' : value.toFixed(d));
    const cells = OPERATORS.filter((id) => by(id)).map((id) => shown(get(by(id) as OperatorResult), digits));
    const ratio = (other: OperatorId) => {
      const a = by('ours');
      const b = by(other);
      return a && b ? shown(get(a) / get(b), 2) : '-';
    };
    return [label, ...cells, ratio('kopf'), ratio('raw')];
  });
  const widths = cols.map((c, i) => Math.max(c.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [
    fmt(cols),
    `|${widths.map((w, i) => (i === 0 ? '-' : '') + '-'.repeat(w + 1) + (i ? ':' : '-')).join('|')}|`,
  ]
    .concat(lines.map(fmt))
    .join('\n');
}

// ---- main ----------------------------------------------------------------------------------

async function main(): Promise<void> {
  const kopf = selected.includes('kopf') ? ensureKopf() : '';
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = join(here, 'results', `${stamp}-n${N}`);
  mkdirSync(outDir, { recursive: true });
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    loadAverageAtStart: loadavg(),
    node: process.version,
  };
  log(
    `N=${N}, operators ${selected.join(', ')}, ${machine.cores} cores, load ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const cluster = await startControlPlane({ profile: 'minimal', crdDirs: [join(here, 'crd')], log });
  const stopAll = async () => {
    for (const child of children) child.kill('SIGKILL');
    await stopControlPlane(cluster);
  };
  process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));
  const kube = await Kube.load(cluster.kubeconfig, PARALLEL + 8);
  try {
    await warmUp(kube);
    const results: OperatorResult[] = [];
    for (const id of OPERATORS.filter((o) => selected.includes(o))) {
      results.push(await benchOperator(id, kube, cluster, kopf, outDir));
    }
    const report = {
      n: N,
      parallelCreates: PARALLEL,
      stormChangesPerObject: STORM_CHANGES,
      machine: { ...machine, loadAverageAtEnd: loadavg() },
      date: new Date().toISOString(),
      results,
      ratios: ratios(results),
      table: table(results),
    };
    writeFileSync(join(outDir, 'results.json'), JSON.stringify(report, null, 2));
    copyFileSync(join(outDir, 'results.json'), join(here, 'results', 'latest.json'));
    console.log(
      `\nN=${N}, ${machine.cores} cores (${machine.cpu}), load avg start ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}, end ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
    );
    console.log(report.table);
    console.log(
      `\nlatency: creator's spec.createdAt to the handler's status timestamp; throughput: first create to the last status seen by a watch`,
    );
    console.log(
      `written: ${join(outDir, 'results.json')} (operator logs${flags.profile ? ', CPU profiles' : ''} beside it)`,
    );
  } finally {
    kube.close();
    await stopAll();
  }
}

function ratios(results: OperatorResult[]) {
  const ours = results.find((r) => r.operator === 'ours');
  const out: Record<string, Record<string, number>> = {};
  for (const other of results.filter((r) => r.operator !== 'ours')) {
    if (!ours) break;
    out[`ours/${other.operator}`] = {
      objectsPerSecond: ours.objectsPerSecond / other.objectsPerSecond,
      latencyP50: ours.latencyMs.p50 / other.latencyMs.p50,
      latencyP99: ours.latencyMs.p99 / other.latencyMs.p99,
      peakRss: ours.peakRssMiB / other.peakRssMiB,
      rssAfterCached: ours.rssAfterCachedMiB / other.rssAfterCachedMiB,
      cpuCreatePhase: ours.cpuSecondsCreatePhase / other.cpuSecondsCreatePhase,
      stormHandlerRuns: ours.storm.handlerRuns / other.storm.handlerRuns,
      restartCatchUp: ours.restart.catchUpSeconds / other.restart.catchUpSeconds,
    };
  }
  return out;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
});
