// A local cluster with a real node (profile "real"), started and stopped from the machine's own
// network namespace (jest's globalSetup, the demo):
//   1. packages and binaries: setup-node.sh (Debian: containerd, runc, CNI plugins, iptables,
//      socat, busybox-static), build.sh --node (kubelet, kube-proxy, CoreDNS, pause; cached);
//   2. the run's names (node-names.ts) and its reaper (node-reaper.ts), before anything exists;
//   3. the run's namespaces and cgroups (node-host.ts);
//   4. real-cluster-up.ts inside the network namespace: control plane, node daemons, CoreDNS;
//   5. the API bridge: a port on this machine's loopback forwarding to the apiserver's unix
//      socket (socat), so API clients outside the namespace (jest, kubectl, the demo) reach it.
// stop() closes the reaper's pipe; the reaper sweeps everything and reports what is left. A run
// whose owner dies is swept the same way, and a run whose reaper died too is swept by the next
// start (sweepStaleRuns).
//
// Fails when: not root, a package is missing and cannot be installed, a build fails, or a
// component does not come up - always with the log tails of every component.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  isAlive,
  kubeconfigYaml,
  launchDaemon,
  logTails,
  probe,
  waitFor,
} from './control-plane.ts';
import { createRunNamespaces, realNodeRefusal, sweepRun, type SweepReport } from './node-host.ts';
import { nodeBaseImages } from './node-images.ts';
import { nodeNames, RUN_PREFIX, type NodeNames } from './node-names.ts';
import type { InnerState } from './real-cluster-up.ts';

const here = dirname(fileURLToPath(import.meta.url));

export interface RealClusterOptions {
  log?: (message: string) => void;
  /** More image archives to import into the node's containerd (local-images.ts). */
  images?: string[];
  /** Where node state goes (default: the OS temp folder, on disk; images are unpacked there). */
  diskBase?: string;
}

export interface RealCluster {
  names: NodeNames;
  /** Kubeconfig for clients on this machine (through the loopback bridge). */
  kubeconfig: string;
  server: string;
  /** Kubeconfig for clients inside the run's network namespace. */
  innerKubeconfig: string;
  binDir: string;
  containerdSocket: string;
  reaperPid: number;
  timings: Record<string, number>;
  /** Runs a command inside the run's network namespace (for Service IPs, DNS, node ports). */
  inNetns(command: string, args: string[], input?: string): string;
  /** Stops everything of the run; throws, naming it, if anything is left on the machine. */
  stop(): Promise<SweepReport | undefined>;
}

export function cacheDir(binDir: string): string {
  return join(dirname(binDir), 'images');
}

/** Installs missing Debian packages (as root, with progress) or fails saying which are missing. */
export function ensureNodePackages(): void {
  execFileSync('bash', [join(here, 'setup-node.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
}

export function buildNodeBinaries(): string {
  const out = execFileSync('bash', [join(here, 'build.sh'), '--node'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').pop() ?? '';
}

/** Sweeps runs under diskBase whose reaper is gone (both the owner and its reaper were killed). */
export async function sweepStaleRuns(diskBase: string, log: (m: string) => void): Promise<void> {
  for (const entry of readdirSync(diskBase)) {
    if (!entry.startsWith(RUN_PREFIX)) continue;
    const dir = join(diskBase, entry);
    const namesFile = join(dir, 'names.json');
    const ownerFile = join(dir, 'owner.json');
    try {
      if (!statSync(dir).isDirectory() || !existsSync(namesFile)) continue;
      const names = JSON.parse(readFileSync(namesFile, 'utf8')) as NodeNames;
      if (existsSync(ownerFile)) {
        const { reaperPid } = JSON.parse(readFileSync(ownerFile, 'utf8')) as { reaperPid: number };
        const cmdline = isAlive(reaperPid) ? readFileSync(`/proc/${reaperPid}/cmdline`, 'utf8') : '';
        if (cmdline.includes(names.runId)) continue; // its reaper is watching it
      } else if (Date.now() - statSync(dir).mtimeMs < 10 * 60_000) {
        continue; // being set up right now
      }
      log(`sweeping the leftovers of run ${names.runId} (its reaper is gone)`);
      await sweepRun(names, { graceMs: 1000 });
    } catch (error) {
      log(`could not sweep ${dir}: ${String(error)}`);
    }
  }
}

function startReaper(names: NodeNames): { child: ChildProcess; logFile: string } {
  const namesFile = join(names.runDir, 'names.json');
  const logFile = `${names.runDir}.reaper.log`;
  const child = spawn(process.execPath, [join(here, 'node-reaper.ts'), namesFile, logFile], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  if (child.pid === undefined) throw new Error('test/cluster: could not start the reaper');
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  writeFileSync(
    join(names.runDir, 'owner.json'),
    JSON.stringify({ reaperPid: child.pid, ownerPid: process.pid }),
  );
  return { child, logFile };
}

function runChild(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export async function startRealCluster(options: RealClusterOptions = {}): Promise<RealCluster> {
  const log = options.log ?? (() => {});
  const timings: Record<string, number> = {};
  const timed = async <T>(what: string, step: () => T | Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await step();
    } finally {
      timings[what] = Date.now() - started;
    }
  };
  const started = Date.now();
  const refusal = realNodeRefusal({ platform: process.platform, uid: process.getuid?.() });
  if (refusal) throw new Error(refusal);
  await timed('packages', ensureNodePackages);
  const binDir = await timed('build', () => {
    log('checking the node binaries (a first build takes several minutes)');
    return buildNodeBinaries();
  });
  const images = await timed('images', async () => [
    await nodeBaseImages(binDir, cacheDir(binDir)),
    ...(options.images ?? []),
  ]);

  const diskBase = options.diskBase ?? tmpdir();
  await sweepStaleRuns(diskBase, log);
  const names = nodeNames(
    randomBytes(4).toString('hex'),
    diskBase,
    existsSync('/dev/shm') ? '/dev/shm' : tmpdir(),
  );
  mkdirSync(names.runDir, { recursive: true });
  writeFileSync(join(names.runDir, 'names.json'), JSON.stringify(names, null, 2));
  const reaper = startReaper(names);

  let stopped: Promise<SweepReport | undefined> | undefined;
  const stop = () => {
    stopped ??= new Promise<SweepReport | undefined>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`test/cluster: the reaper of run ${names.runId} did not finish in 120s`)),
        120_000,
      );
      reaper.child.once('exit', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(undefined);
        else {
          const report = existsSync(reaper.logFile)
            ? readFileSync(reaper.logFile, 'utf8')
            : '(no reaper log)';
          reject(new Error(`test/cluster: run ${names.runId} left things on the machine:\n${report}`));
        }
      });
      reaper.child.stdin?.end();
    });
    return stopped;
  };
  const failure = async (error: unknown): Promise<never> => {
    const tails = [logTails(names.runDir), logTails(names.controlPlaneDir)].filter(Boolean).join('\n');
    await stop().catch((e: unknown) => log(String(e)));
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`test/cluster: the real node did not start: ${message}\n${tails}`, { cause: error });
  };

  try {
    await timed('namespaces', () => createRunNamespaces(names));
    log(`run ${names.runId}: namespaces in ${names.runDir}/ns, cgroup /${names.cgroupRoot}`);
    const code = await timed('cluster', () =>
      runChild('nsenter', [
        `--net=${names.netnsFile}`,
        '--',
        process.execPath,
        join(here, 'real-cluster-up.ts'),
        join(names.runDir, 'names.json'),
        ...images,
      ]),
    );
    if (code !== 0) throw new Error(`real-cluster-up.ts exited with ${code}`);
    const inner = JSON.parse(readFileSync(join(names.runDir, 'state.json'), 'utf8')) as InnerState;

    const port = await freePort();
    launchDaemon(names.runDir, 'api-bridge-outer', 'socat', [
      `TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr`,
      `UNIX-CONNECT:${inner.apiSocket}`,
    ]);
    const pki = join(inner.controlPlane.runDir, 'pki');
    const admin = { caCert: join(pki, 'ca.crt'), cert: join(pki, 'admin.crt'), key: join(pki, 'admin.key') };
    const server = `https://127.0.0.1:${port}`;
    await waitFor(
      'the API bridge',
      () =>
        probe(`${server}/readyz`, {
          ca: readFileSync(admin.caCert),
          cert: readFileSync(admin.cert),
          key: readFileSync(admin.key),
        }),
      20_000,
    );
    const kubeconfig = join(names.runDir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml(server, admin), { mode: 0o600 });
    timings.total = Date.now() - started;
    return {
      names,
      kubeconfig,
      server,
      innerKubeconfig: inner.controlPlane.kubeconfig,
      binDir,
      containerdSocket: inner.containerdSocket,
      reaperPid: reaper.child.pid as number,
      timings,
      inNetns: (command, args, input) =>
        execFileSync('nsenter', [`--net=${names.netnsFile}`, '--', command, ...args], {
          input,
          encoding: 'utf8',
          stdio: ['pipe', 'pipe', 'pipe'],
        }),
      stop,
    };
  } catch (error) {
    return failure(error);
  }
}
