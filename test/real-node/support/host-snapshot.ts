// What a real-node run could leave on the machine, read from the machine's own namespaces:
// kernel settings (/proc/sys, minus counters that move by themselves), iptables and nftables
// rules, mount points, top-level cgroups, named network namespaces and the host paths a
// kubelet or containerd would create when not kept in their own mount namespace.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface HostSnapshot {
  sysctls: Record<string, string>;
  rules: Record<string, string>;
  mounts: string[];
  cgroups: string[];
  netns: string[];
  paths: Record<string, boolean>;
}

/** Counters and per-boot values that change without anyone setting them. */
const VOLATILE = [
  /^fs\/(dentry-state|inode-nr|inode-state|file-nr|aio-nr)$/,
  /^fs\/quota\//,
  /^kernel\/random\//,
  /^kernel\/(ns_last_pid|pty\/nr)$/,
  /^net\/netfilter\/nf_conntrack_count$/,
  /^vm\/(stat_refresh|drop_caches|compact_memory)$/,
];

export const WATCHED_PATHS = [
  '/run/containerd',
  '/run/mount',
  '/run/netns',
  '/run/xtables.lock',
  '/var/log/containers',
  '/var/log/pods',
  '/var/lib/kubelet',
  '/var/lib/cni',
  '/var/lib/containerd',
  '/etc/cni',
  '/opt/cni',
  '/etc/kubernetes',
];

function readSysctls(
  dir = '/proc/sys',
  prefix = '',
  out: Record<string, string> = {},
): Record<string, string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const key = prefix ? `${prefix}/${entry}` : entry;
    if (VOLATILE.some((re) => re.test(key))) continue;
    try {
      if (statSync(path).isDirectory()) readSysctls(path, key, out);
      else out[key] = readFileSync(path, 'utf8');
    } catch {
      // write-only or permission-protected entries
    }
  }
  return out;
}

function tryRun(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .split('\n')
      .filter((line) => !line.startsWith('#')) // iptables-save's timestamps
      .join('\n');
  } catch (error) {
    return `unavailable: ${(error as Error).message.split('\n')[0]}`;
  }
}

export function takeSnapshot(): HostSnapshot {
  const cgroups: string[] = [];
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
    const dir = join('/sys/fs/cgroup', hierarchy);
    try {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) cgroups.push(`${hierarchy}/${entry.name}`);
      }
    } catch {
      // not a hierarchy
    }
  }
  return {
    sysctls: readSysctls(),
    rules: {
      iptables: tryRun('iptables-save', []),
      ip6tables: tryRun('ip6tables-save', []),
      nft: tryRun('nft', ['list', 'ruleset']),
    },
    mounts: readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4] ?? '')
      .filter(Boolean)
      .sort(),
    cgroups: cgroups.sort(),
    netns: existsSync('/run/netns') ? readdirSync('/run/netns').sort() : [],
    paths: Object.fromEntries(WATCHED_PATHS.map((p) => [p, existsSync(p)])),
  };
}

/** Mounts, cgroups and folders of other real-node runs (tcnode-<id>) that may come and go meanwhile. */
const otherRun = (item: string, ownRunId?: string) => {
  const match = /tcnode-([a-z0-9]+)/.exec(item);
  return match !== null && match[1] !== ownRunId;
};

/**
 * What the run changed or left, one line each (empty when it left the machine as it was).
 * Entries of other real-node runs than `ownRunId` are left out: concurrent runs are expected.
 */
export function diffSnapshots(before: HostSnapshot, after: HostSnapshot, ownRunId?: string): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(before.sysctls), ...Object.keys(after.sysctls)])) {
    if (before.sysctls[key] !== after.sysctls[key]) {
      out.push(
        `sysctl ${key}: ${JSON.stringify(before.sysctls[key])} -> ${JSON.stringify(after.sysctls[key])}`,
      );
    }
  }
  for (const key of Object.keys(before.rules)) {
    if (before.rules[key] !== after.rules[key]) out.push(`${key} rules changed:\n${after.rules[key]}`);
  }
  const lists = ['mounts', 'cgroups', 'netns'] as const;
  for (const list of lists) {
    const was = new Set(before[list].filter((item) => !otherRun(item, ownRunId)));
    const is = new Set(after[list].filter((item) => !otherRun(item, ownRunId)));
    // Only what appeared counts as left behind: another run on the machine may finish (and
    // remove its own mounts and cgroups) while this one is measured.
    for (const item of is) if (!was.has(item)) out.push(`${list}: added ${item}`);
  }
  for (const path of Object.keys(before.paths)) {
    if (before.paths[path] !== after.paths[path])
      out.push(`path ${path}: exists ${before.paths[path]} -> ${after.paths[path]}`);
  }
  return out;
}
