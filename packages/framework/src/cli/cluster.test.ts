import { jest } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterCommand } from './cluster.js';

// `cluster --prepare` is a scaffolded project's `pretest`: the first build of the control plane
// takes about 10 minutes, far past any test's timeout, so it must happen there and not in a test.
// What it builds is checked with a `go` on PATH that only records its calls and writes the
// binaries it is asked for (the real build is what the scaffold's integration test runs).
let dir: string;
const saved = {
  KUBECONFIG: process.env.KUBECONFIG,
  TESTCLUSTER_BIN: process.env.TESTCLUSTER_BIN,
  TESTCLUSTER_CACHE: process.env.TESTCLUSTER_CACHE,
  PATH: process.env.PATH,
  FAKE_GO_LOG: process.env.FAKE_GO_LOG,
  FAKE_GO_SLOW: process.env.FAKE_GO_SLOW,
  BUILD_PROGRESS_SECONDS: process.env.BUILD_PROGRESS_SECONDS,
};
const monorepoBuildScript = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../test/cluster/build.sh',
);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prepare-'));
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

test('--prepare checks the binaries and says which one is missing', async () => {
  delete process.env.KUBECONFIG;
  process.env.TESTCLUSTER_BIN = dir;
  await expect(clusterCommand(['--prepare'])).rejects.toThrow(`etcd is missing from ${dir}`);
});

test('--prepare builds nothing when KUBECONFIG names the cluster the tests use', async () => {
  process.env.KUBECONFIG = join(dir, 'kubeconfig');
  process.env.TESTCLUSTER_BIN = dir;
  expect(await clusterCommand(['--prepare'])).toBe(0);
});

/** A `go` that records each call and makes the binaries `build -o` / `install` name. */
function fakeGo(): { calls: () => string[]; bin: () => string[] } {
  const tools = join(dir, 'tools');
  mkdirSync(tools);
  writeFileSync(
    join(tools, 'go'),
    `#!/usr/bin/env bash
echo "$*" >> "$FAKE_GO_LOG"
case "$1" in
  list) printf 'pkg/a\\npkg/b\\npkg/c\\npkg/d\\n' ;;
  build) [ -n "\${FAKE_GO_SLOW:-}" ] && { echo pkg/a >&2; echo pkg/b >&2; sleep "$FAKE_GO_SLOW"; }
    while [ $# -gt 0 ]; do [ "$1" = -o ] && { printf '#!/bin/sh\\n' > "$2"; chmod +x "$2"; }; shift; done ;;
  install) mkdir -p "$GOBIN"; printf '#!/bin/sh\\n' > "$GOBIN/kwok"; chmod +x "$GOBIN/kwok" ;;
esac
`,
  );
  chmodSync(join(tools, 'go'), 0o755);
  const log = join(dir, 'go-calls.log');
  delete process.env.KUBECONFIG;
  delete process.env.TESTCLUSTER_BIN;
  process.env.TESTCLUSTER_CACHE = join(dir, 'cache');
  process.env.FAKE_GO_LOG = log;
  process.env.PATH = `${tools}:${process.env.PATH}`;
  const binDir = () => {
    const [key] = readdirSync(join(dir, 'cache'));
    return join(dir, 'cache', key as string, 'bin');
  };
  return {
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []),
    bin: () =>
      readdirSync(binDir())
        .filter((f) => !f.startsWith('.'))
        .sort(),
  };
}

test('--prepare builds only what the kit starts: etcd and kube-apiserver, with only their modules', async () => {
  const go = fakeGo();
  expect(await clusterCommand(['--prepare'])).toBe(0);
  expect(go.bin()).toEqual(['etcd', 'kube-apiserver']);
  const calls = go.calls();
  expect(calls.filter((c) => c.startsWith('build')).map((c) => c.split(' ').pop())).toEqual([
    './cmd/etcd',
    'k8s.io/kubernetes/cmd/kube-apiserver',
  ]);
  expect(calls.some((c) => c.startsWith('mod download'))).toBe(false);

  // Built once per machine: the next prepare runs no go at all.
  const before = calls.length;
  expect(await clusterCommand(['--prepare'])).toBe(0);
  expect(go.calls()).toHaveLength(before);
});

test('the full build (test/cluster) after the kit`s reuses what the kit built, and the reverse', () => {
  const go = fakeGo();
  const run = (...args: string[]) =>
    execFileSync('bash', [monorepoBuildScript, ...args], { env: process.env, stdio: 'ignore' });
  /** The packages the go calls since `from` built. */
  const builtSince = (from: number) =>
    go
      .calls()
      .slice(from)
      .filter((c) => /^(build|install)/.test(c))
      .map((c) => c.split(' ').pop());
  run('--kit');
  let mark = go.calls().length;
  // `fedora-operator cluster` asks for kubectl too: only kubectl is added.
  run('--kit', '--kubectl');
  expect(builtSince(mark)).toEqual(['k8s.io/kubernetes/cmd/kubectl']);
  mark = go.calls().length;
  run();
  const kwokVersion = /KWOK_VERSION=(\S+)/.exec(
    readFileSync(join(dirname(monorepoBuildScript), 'versions.env'), 'utf8'),
  )?.[1];
  expect(builtSince(mark)).toEqual([
    'k8s.io/kubernetes/cmd/kube-controller-manager',
    'k8s.io/kubernetes/cmd/kube-scheduler',
    `sigs.k8s.io/kwok/cmd/kwok@${kwokVersion}`,
  ]);
  expect(go.bin()).toEqual([
    'etcd',
    'kube-apiserver',
    'kube-controller-manager',
    'kube-scheduler',
    'kubectl',
    'kwok',
  ]);
  // A kit build on a machine with the full build runs no go.
  mark = go.calls().length;
  run('--kit', '--kubectl');
  expect(go.calls()).toHaveLength(mark);
});

test('a long build says how far it is, and a failed one shows the end of its output', () => {
  fakeGo();
  process.env.FAKE_GO_SLOW = '2.5';
  process.env.BUILD_PROGRESS_SECONDS = '1';
  const result = spawnSync('bash', [monorepoBuildScript, '--kit'], { env: process.env, encoding: 'utf8' });
  expect(result.status).toBe(0);
  // The fake go lists 4 packages and has compiled 2 of them while it sleeps.
  expect(result.stderr).toMatch(/etcd: 2 of about 4 packages compiled \(\d+s\)/);
  expect(result.stderr).toMatch(/kube-apiserver: 2 of about 4 packages compiled/);

  rmSync(join(dir, 'cache'), { recursive: true, force: true });
  writeFileSync(
    join(dir, 'tools', 'go'),
    '#!/bin/sh\n[ "$1" = build ] || exit 0\necho "undefined: compileError" >&2\nexit 1\n',
  );
  const failed = spawnSync('bash', [monorepoBuildScript, '--kit'], { env: process.env, encoding: 'utf8' });
  expect(failed.status).not.toBe(0);
  expect(failed.stderr).toContain('building etcd failed');
  expect(failed.stderr).toContain('undefined: compileError');
  expect(failed.stderr).not.toContain('built etcd');
});
