// What one real-node run creates on the machine itself, and how it is all taken away again:
//   - a network namespace (bind-mounted on a file in the run folder, not under /run/netns:
//     `ip netns add` would leave a shared mount on /run/netns behind) holding only `lo`, a
//     port-less bridge with the node IP and a route for the Service range: nothing leads out;
//   - a private mount namespace for containerd, kubelet and kube-proxy, in which
//       * plain files are bind-mounted over the /proc/sys entries the kubelet rewrites
//         (vm.overcommit_memory, vm.panic_on_oom, kernel.panic, kernel.panic_on_oops,
//         kernel.keys.root_max*), so the machine's kernel settings stay as they were;
//       * /run and /var/log are fresh tmpfs mounts: shim sockets, xtables.lock and
//         /var/log/containers never touch the machine's folders;
//   - a top-level cgroup in every v1 hierarchy for the pods (the kubelet's cgroupRoot).
// Everything else (iptables rules, the CNI bridge, pod network namespaces and their
// mounts) lives inside those namespaces and goes with them.
//
// sweepRun() is the only teardown, used by stop and by the reaper after a crash: it kills every
// process in the run's namespaces, cgroups or folders (SIGTERM, then SIGKILL), unmounts what the
// run mounted, removes the cgroups and folders. It is idempotent and never touches a process or
// path that does not carry the run's marks.
//
// Fails when: not root / no CAP_SYS_ADMIN (unshare/mount refuse: the message says so), the
// machine has no cgroup v1 cpu and memory hierarchies (this node is set up for cgroup v1; a
// cgroup v2-only host is refused by name, realNodeRefusal), a command of util-linux or
// iproute2 is missing.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  rmdirSync,
  lstatSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { NodeNames } from './node-names.ts';

const CGROUP_BASE = '/sys/fs/cgroup';

/** The kernel settings the kubelet writes at start, with the values it writes. */
export const FAKED_SYSCTLS: Record<string, string> = {
  'vm/overcommit_memory': '1',
  'vm/panic_on_oom': '0',
  'kernel/panic': '10',
  'kernel/panic_on_oops': '1',
  'kernel/keys/root_maxkeys': '1000000',
  'kernel/keys/root_maxbytes': '25000000',
};

function run(command: string, args: string[], input?: string): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`test/cluster: ${command} ${args.join(' ')} failed: ${stderr.trim() || String(error)}`, {
      cause: error,
    });
  }
}

/** The v1 hierarchies (cpu, memory, ...) the kubelet's cgroupfs driver uses. */
export function cgroupV1Hierarchies(base = CGROUP_BASE): string[] {
  if (!existsSync(base)) return [];
  return readdirSync(base).filter((name) => {
    if (name === 'unified') return false;
    const path = join(base, name);
    return !lstatSync(path).isSymbolicLink() && existsSync(join(path, 'cgroup.procs'));
  });
}

/**
 * Why the real node cannot run on this host, or undefined when it can: it needs Linux, root
 * (network and mount namespaces, mounts, cgroups) and the cgroup v1 cpu and memory hierarchies
 * (the kubelet runs with the cgroupfs driver in cgroups the harness makes in every v1
 * hierarchy; a hybrid host, with v2 mounted beside them as `unified`, is fine). A host with
 * only cgroup v2 at the base is named as such.
 */
export function realNodeRefusal(host: {
  platform: NodeJS.Platform;
  uid: number | undefined;
  cgroupBase?: string;
}): string | undefined {
  const base = host.cgroupBase ?? CGROUP_BASE;
  if (host.platform !== 'linux')
    return `test/cluster: the real node runs only on Linux (this is ${host.platform})`;
  if (host.uid !== 0)
    return `test/cluster: the real node needs root (network and mount namespaces, cgroups); this is uid ${host.uid ?? '?'}`;
  const hierarchies = cgroupV1Hierarchies(base);
  if (hierarchies.includes('memory') && hierarchies.includes('cpu')) return undefined;
  if (existsSync(join(base, 'cgroup.controllers'))) {
    return (
      `test/cluster: only cgroup v2 (unified) is mounted at ${base}; the real node's kubelet runs ` +
      'with the cgroupfs driver in cgroup v1 hierarchies (cpu, memory, ...) that this harness sets ' +
      'up, so it cannot run on this host. Boot with systemd.unified_cgroup_hierarchy=0 (cgroup v1 ' +
      'or hybrid) to run it; the KWOK tier (jest project integration) and `npm run demo -- --kwok` ' +
      'need no cgroups'
    );
  }
  return `test/cluster: the real node needs the cgroup v1 cpu and memory hierarchies under ${base} (found: ${hierarchies.join(', ') || 'none'})`;
}

export function createRunNamespaces(names: NodeNames): void {
  const refusal = realNodeRefusal({ platform: process.platform, uid: process.getuid?.() });
  if (refusal) throw new Error(refusal);
  const nsDir = join(names.runDir, 'ns');
  const fakeDir = join(names.runDir, 'fake-sysctl');
  mkdirSync(nsDir, { recursive: true });
  mkdirSync(fakeDir, { recursive: true });

  writeFileSync(names.netnsFile, '');
  run('unshare', [`--net=${names.netnsFile}`, 'true']);
  const inNet = (...args: string[]) => run('nsenter', [`--net=${names.netnsFile}`, '--', ...args]);
  inNet('ip', 'link', 'set', 'lo', 'up');
  // The kubelet refuses a loopback node IP and this kernel has no dummy driver: a bridge
  // without ports holds it.
  inNet('ip', 'link', 'add', 'node0', 'type', 'bridge');
  inNet('ip', 'addr', 'add', `${names.nodeIp}/32`, 'dev', 'node0');
  inNet('ip', 'link', 'set', 'node0', 'up');
  // Routable only so kube-proxy's OUTPUT DNAT applies to host-network clients; anything not
  // DNATed ends on the port-less bridge.
  inNet('ip', 'route', 'add', names.serviceCidr, 'dev', 'node0');

  const binds: string[] = [];
  for (const [key, value] of Object.entries(FAKED_SYSCTLS)) {
    const file = join(fakeDir, key.replaceAll('/', '_'));
    writeFileSync(file, `${value}\n`);
    binds.push(`mount -n --bind ${file} /proc/sys/${key}`);
  }
  writeFileSync(names.mountnsFile, '');
  run('unshare', [
    `--mount=${names.mountnsFile}`,
    '--propagation',
    'private',
    'sh',
    '-ec',
    [
      ...binds,
      'mount -n -t tmpfs -o mode=0755 tmpfs /run',
      'mount -n -t tmpfs -o mode=0755 tmpfs /var/log',
    ].join('\n'),
  ]);

  for (const hierarchy of cgroupV1Hierarchies()) {
    const dir = join(CGROUP_BASE, hierarchy, names.cgroupRoot);
    mkdirSync(dir, { recursive: true });
    if (hierarchy === 'cpuset') {
      for (const file of ['cpuset.cpus', 'cpuset.mems']) {
        writeFileSync(join(dir, file), readFileSync(join(CGROUP_BASE, hierarchy, file)));
      }
    }
  }
}

// ---- finding a run's processes --------------------------------------------------------------

export interface RunMarks {
  netnsInode?: number;
  mountnsInode?: number;
  cgroupRoot: string;
  /** Folders whose path in a command line marks a process of the run (host-side helpers). */
  dirs: string[];
}

export interface ProcessInfo {
  pid: number;
  netnsInode?: number;
  mountnsInode?: number;
  cgroupPaths: string[];
  cmdline: string;
}

/** Does this process belong to the run? Pure: every mark is unique to the run. */
export function belongsToRun(proc: ProcessInfo, marks: RunMarks): boolean {
  if (marks.netnsInode !== undefined && proc.netnsInode === marks.netnsInode) return true;
  if (marks.mountnsInode !== undefined && proc.mountnsInode === marks.mountnsInode) return true;
  const root = `/${marks.cgroupRoot}`;
  if (proc.cgroupPaths.some((p) => p === root || p.startsWith(`${root}/`))) return true;
  return marks.dirs.some((dir) => proc.cmdline.includes(dir));
}

function nsInode(link: string): number | undefined {
  try {
    const match = /\[(\d+)\]/.exec(readlinkSync(link));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const cgroupPaths = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(':').slice(2).join(':'));
    return {
      pid,
      netnsInode: nsInode(`/proc/${pid}/ns/net`),
      mountnsInode: nsInode(`/proc/${pid}/ns/mnt`),
      cgroupPaths,
      cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '),
    };
  } catch {
    return undefined; // exited while being read
  }
}

function nsFileInode(file: string): number | undefined {
  try {
    const inode = statSync(file).ino;
    // An unmounted placeholder is a regular file of the run folder, not a namespace.
    return readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${file} `) ? inode : undefined;
  } catch {
    return undefined;
  }
}

export function runMarks(names: NodeNames): RunMarks {
  return {
    netnsInode: nsFileInode(names.netnsFile),
    mountnsInode: nsFileInode(names.mountnsFile),
    cgroupRoot: names.cgroupRoot,
    dirs: [names.runDir, names.controlPlaneDir],
  };
}

/** Every live process of the run except the caller. */
export function runProcesses(marks: RunMarks): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const info = readProcess(pid);
    if (info && belongsToRun(info, marks)) found.push(info);
  }
  return found;
}

// ---- teardown --------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Mount points under any of the folders, deepest first. */
export function mountsUnder(dirs: string[], mountinfo: string): string[] {
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => dirs.some((dir) => point === dir || point.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
}

export interface SweepReport {
  killed: number[];
  unmounted: string[];
  cgroupsRemoved: string[];
  /** What could not be removed (empty when the machine is clean). */
  left: string[];
}

export async function sweepRun(
  names: NodeNames,
  { graceMs = 5000, log = () => {} }: { graceMs?: number; log?: (m: string) => void } = {},
): Promise<SweepReport> {
  const report: SweepReport = { killed: [], unmounted: [], cgroupsRemoved: [], left: [] };
  const marks = runMarks(names);

  // 1. processes: TERM, grace, then KILL until none is left (a dying kubelet may restart pods).
  const first = runProcesses(marks).map((p) => p.pid);
  if (first.length) {
    log(`stopping ${first.length} processes`);
    signalAll(first, 'SIGTERM');
    report.killed.push(...first);
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && runProcesses(marks).length) await sleep(100);
  }
  for (let round = 0; round < 50; round++) {
    const left = runProcesses(marks).map((p) => p.pid);
    if (!left.length) break;
    signalAll(left, 'SIGKILL');
    report.killed.push(...left.filter((pid) => !report.killed.includes(pid)));
    await sleep(100);
  }
  const survivors = runProcesses(marks);
  for (const p of survivors) report.left.push(`process ${p.pid}: ${p.cmdline}`);

  // 2. mounts in the machine's mount namespace: the two namespace handles (and anything else
  //    that ended up under the run's folders).
  for (const point of mountsUnder(
    [names.runDir, names.controlPlaneDir],
    readFileSync('/proc/self/mountinfo', 'utf8'),
  )) {
    try {
      execFileSync('umount', ['-n', point], { stdio: 'pipe' });
      report.unmounted.push(point);
    } catch {
      try {
        execFileSync('umount', ['-n', '--lazy', point], { stdio: 'pipe' });
        report.unmounted.push(`${point} (lazy)`);
      } catch (error) {
        report.left.push(`mount ${point}: ${String(error)}`);
      }
    }
  }

  // 3. cgroups, deepest first; a cgroup whose last task just died can take a moment to empty.
  for (const hierarchy of [...cgroupV1Hierarchies(), 'unified']) {
    const top = join(CGROUP_BASE, hierarchy, names.cgroupRoot);
    if (!existsSync(top)) continue;
    const dirs = execFileSync('find', [top, '-depth', '-type', 'd'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    for (const dir of dirs) {
      let removed = false;
      for (let attempt = 0; attempt < 30 && !removed; attempt++) {
        try {
          rmdirSync(dir);
          removed = true;
        } catch {
          await sleep(100);
        }
      }
      if (removed) report.cgroupsRemoved.push(dir);
      else report.left.push(`cgroup ${dir}`);
    }
  }

  // 4. folders
  for (const dir of [names.runDir, names.controlPlaneDir]) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch (error) {
      report.left.push(`folder ${dir}: ${String(error)}`);
    }
  }
  return report;
}
