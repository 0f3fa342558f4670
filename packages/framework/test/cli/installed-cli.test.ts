// The `fedora-operator` command as npm installs it: node_modules/.bin/fedora-operator is a
// symlink to the package's `bin` file, so the process's argv[1] is the symlink, not the file.
// Every case runs that symlink the way a shell (npx, npm exec, npm scripts) does.
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '@fedora-operators/framework';
import { waitForObject } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
};
const fixture = join(packageDir, 'test', 'fixtures', 'runner-operator.mjs');

let project: string;
let bin: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'installed-cli-'));
  mkdirSync(join(project, 'node_modules', '@fedora-operators'), { recursive: true });
  mkdirSync(join(project, 'node_modules', '.bin'));
  symlinkSync(packageDir, join(project, 'node_modules', '@fedora-operators', 'framework'));
  bin = join(project, 'node_modules', '.bin', 'fedora-operator');
  const target = manifest.bin['fedora-operator'] ?? '';
  symlinkSync(join('..', '@fedora-operators', 'framework', target), bin);
  chmodSync(join(packageDir, target), 0o755); // as npm's bin-links does on install
  writeFileSync(join(project, 'not-an-operator.mjs'), 'export default 42;\n');
  writeFileSync(join(project, 'broken.mjs'), "throw new Error('the module itself is broken');\n");
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

function runBin(args: string[], onOutput?: (text: string) => void) {
  const child = spawn(bin, args, {
    cwd: project,
    // `#!/usr/bin/env node` finds the pinned Node first, as npm puts it on PATH.
    env: {
      ...process.env,
      POD_NAME: 'installed-cli-pod',
      PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    onOutput?.(stdout + stderr);
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
    onOutput?.(stdout + stderr);
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, exited };
}

test('--help through the .bin symlink prints the commands and exits 0', async () => {
  const { code, stdout } = await runBin(['--help']).exited;
  expect(stdout).toContain('usage: fedora-operator <command>');
  expect(stdout).toMatch(/^\s+run <module>/m);
  expect(code).toBe(0);
});

test('a missing module is a clear error with a non-zero exit', async () => {
  const { code, stderr } = await runBin(['run', './dist/missing.js']).exited;
  expect(stderr).toContain('cannot find the operator module ./dist/missing.js');
  expect(stderr).toContain('npm run build');
  expect(code).toBe(2);
});

test('a module without a controller list, or one that throws, is a clear error', async () => {
  const wrong = await runBin(['run', 'not-an-operator.mjs']).exited;
  expect(wrong.stderr).toContain('its default export must be a list of controller classes');
  expect(wrong.code).toBe(2);
  const broken = await runBin(['run', 'broken.mjs']).exited;
  expect(broken.stderr).toContain('loading the operator module broken.mjs failed');
  expect(broken.stderr).toContain('the module itself is broken');
  expect(broken.code).toBe(1);
});

test('an unknown command or flag names the mistake', async () => {
  const unknown = await runBin(['serve']).exited;
  expect(unknown.stderr).toContain("unknown command 'serve'");
  expect(unknown.code).toBe(2);
  const flag = await runBin(['run', fixture, '--no-such-flag']).exited;
  expect(flag.stderr).toContain("Unknown option '--no-such-flag'");
  expect(flag.code).toBe(2);
});

describe('run', () => {
  let ns: TestNamespace;
  beforeAll(async () => {
    ns = await createTestNamespace('installed-cli');
  });
  afterAll(() => ns.dispose());

  test('runs the module through the .bin symlink: handles an object, stops on SIGTERM with 0', async () => {
    const resource = await ensureTestCrd(ns.client, 'Runner');
    let output = '';
    const { child, exited } = runBin(
      ['run', fixture, '--namespace', ns.name, '--log-format', 'text'],
      (t) => {
        output = t;
      },
    );
    try {
      await ns.client.create(resource, { metadata: { name: 'via-bin', namespace: ns.name }, spec: {} });
      await waitForObject<KubeObject<object, { handledBy?: string }>>(
        ns.client,
        resource,
        ns.name,
        'via-bin',
        (o) => o?.status?.handledBy === 'installed-cli-pod',
        { what: `Runner via-bin handled; operator output: ${output}` },
      );
      expect(output).toContain('DONE via-bin');
    } finally {
      child.kill('SIGTERM');
    }
    expect((await exited).code).toBe(0);
  });
});

test('cluster: prints the KUBECONFIG and a kubectl that reaches it, applies --crds, stays up until Ctrl-C, exits 0', async () => {
  // The README's terminals: `npm run cluster` in the first, then kubectl with what it printed.
  // Its output goes to a file, not a pipe: a pipe kept the process alive, which hid that it
  // exited (stopping the cluster) as soon as it was ready.
  // Binaries: the run's (TESTCLUSTER_BIN, set by the jest globalSetup), as a user's would be.
  const crds = join(project, 'crds');
  mkdirSync(crds, { recursive: true });
  writeFileSync(join(crds, 'gizmo.yaml'), gizmoCrd);
  const logFile = join(project, 'cluster.log');
  const log = openSync(logFile, 'w');
  const child = spawn(bin, ['cluster', '--crds', crds], {
    cwd: project,
    env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const output = () => readFileSync(logFile, 'utf8');
  try {
    await eventually(
      () => /^export KUBECONFIG=\S+$/m.test(output()) && output().includes('a kubectl for it: '),
      {
        what: `the cluster's KUBECONFIG and kubectl; output: ${output()}`,
        timeoutMs: 90_000,
      },
    );
    const kubeconfig = /^export KUBECONFIG=(\S+)$/m.exec(output())?.[1] as string;
    const kubectl = /a kubectl for it: (\S+)/.exec(output())?.[1] as string;
    // A few seconds later, as a user switches terminals.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect({ running: child.exitCode === null, output: output() }).toEqual({
      running: true,
      output: output(),
    });
    const crdNames = execFileSync(kubectl, ['get', 'crds', '-o', 'name'], {
      env: { ...process.env, KUBECONFIG: kubeconfig },
      encoding: 'utf8',
    });
    expect(crdNames.trim()).toBe('customresourcedefinition.apiextensions.k8s.io/gizmos.cli.example.com');
  } finally {
    child.kill('SIGINT');
  }
  expect(await exited).toBe(0);
});

const gizmoCrd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gizmos.cli.example.com}
spec:
  group: cli.example.com
  names: {kind: Gizmo, plural: gizmos, singular: gizmo}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;
