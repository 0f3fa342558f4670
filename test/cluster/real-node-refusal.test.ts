// Where the real node cannot run, it says why before anything is set up: not Linux, not root,
// or a host whose /sys/fs/cgroup is cgroup v2 only (the node's kubelet runs with the cgroupfs
// driver on the v1 hierarchies the harness makes its cgroups in). The cgroup trees here are
// folders laid out as the kernel mounts them: v1 with a v2 "unified" mount beside it (hybrid,
// as on this machine), v1 alone, and v2 alone.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realNodeRefusal } from './node-host.ts';

let base: string;

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'cgroup-tree.'));
});

afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

/** A v1 hierarchy folder, as mounted: it has cgroup.procs. */
function v1(name: string): void {
  mkdirSync(join(base, name));
  writeFileSync(join(base, name, 'cgroup.procs'), '');
}

/** A cgroup v2 mount at `dir`: it has cgroup.controllers (and cgroup.procs). */
function v2(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cgroup.controllers'), 'cpu memory pids\n');
  writeFileSync(join(dir, 'cgroup.procs'), '');
}

const linuxRoot = { platform: 'linux' as NodeJS.Platform, uid: 0 };

describe('whether the real node can run here', () => {
  test('a hybrid host (v1 hierarchies and a v2 unified mount) is accepted', () => {
    for (const name of ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'devices', 'freezer']) v1(name);
    v2(join(base, 'unified'));
    expect(realNodeRefusal({ ...linuxRoot, cgroupBase: base })).toBeUndefined();
  });

  test('a cgroup v1 host is accepted', () => {
    for (const name of ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids']) v1(name);
    expect(realNodeRefusal({ ...linuxRoot, cgroupBase: base })).toBeUndefined();
  });

  test('a cgroup v2-only host is refused, saying so and what would work', () => {
    v2(base);
    mkdirSync(join(base, 'system.slice'));
    const refusal = realNodeRefusal({ ...linuxRoot, cgroupBase: base });
    expect(refusal).toContain(`only cgroup v2 (unified) is mounted at ${base}`);
    expect(refusal).toContain('systemd.unified_cgroup_hierarchy=0');
  });

  test('v1 hierarchies without memory or cpu are refused, naming what was found', () => {
    v1('pids');
    expect(realNodeRefusal({ ...linuxRoot, cgroupBase: base })).toContain(
      `needs the cgroup v1 cpu and memory hierarchies under ${base} (found: pids)`,
    );
  });

  test('not root, or not Linux, is refused first', () => {
    v1('cpu');
    v1('memory');
    expect(realNodeRefusal({ platform: 'linux', uid: 1000, cgroupBase: base })).toContain('needs root');
    expect(realNodeRefusal({ platform: 'darwin', uid: 0, cgroupBase: base })).toContain('on Linux');
  });
});
