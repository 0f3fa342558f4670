// A new operator from the framework's tarball alone, as a user outside this repository makes
// one: pack the framework, install the tarball into an empty folder and run its
// `fedora-operator init`, install the new project (the tarball, other packages from the npm
// cache: no monorepo paths), build it, run its own tests against the embedded control plane,
// then start it with `npx fedora-operator run` and see it handle an object.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { CoreResources, KubeClient, loadKubeConfig, type KubeObject } from '@fedora-operators/framework';
import { waitForObject } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { offlineLockfile } from './offline-lockfile.ts';

const here = dirname(fileURLToPath(import.meta.url));
const frameworkDir = join(here, '..', '..');
const monorepoLock = join(frameworkDir, '..', '..', 'package-lock.json');
const minutes = (n: number) => n * 60_000;

let work: string;
let tarball: string;
let project: string;
// The pinned Node first, as npm scripts have it; no KUBECONFIG unless a step wants one.
const env = (): NodeJS.ProcessEnv => {
  const { KUBECONFIG: _unused, ...rest } = process.env;
  return { ...rest, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
};
/** Runs a command to completion; returns stdout and stderr together (jest reports on stderr). */
const run = (cwd: string, command: string, args: string[], timeoutMs: number) => {
  const result = spawnSync(command, args, { cwd, env: env(), encoding: 'utf8', timeout: timeoutMs });
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} in ${cwd} failed (${result.status ?? result.signal ?? result.error?.message}):\n${output}`,
    );
  }
  return output;
};

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Installs package.json's dependencies with a lock cut from the monorepo's: offline, from the cache. */
function installOffline(dir: string, frameworkSpec: string) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const lock = offlineLockfile({
    monorepoLock,
    project: {
      name: manifest.name,
      dependencies: manifest.dependencies ?? {},
      devDependencies: manifest.devDependencies ?? {},
    },
    frameworkTarball: tarball,
    frameworkSpec,
  });
  writeFileSync(join(dir, 'package-lock.json'), lock);
  run(dir, 'npm', ['ci', '--offline', '--no-audit', '--no-fund'], minutes(5));
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'scaffold-'));
  run(frameworkDir, 'npm', ['pack', '--pack-destination', work], minutes(1));
  const name = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!name) throw new Error(`npm pack wrote no tarball into ${work}`);
  tarball = join(work, name);
}, minutes(2));
afterAll(() => rmSync(work, { recursive: true, force: true }));

test(
  'fedora-operator init from the installed tarball makes a project',
  () => {
    const tool = join(work, 'tool');
    mkdirSync(tool);
    writeFileSync(
      join(tool, 'package.json'),
      JSON.stringify({
        name: 'tool',
        version: '0.1.0',
        dependencies: { '@fedora-operators/framework': `file:${tarball}` },
      }),
    );
    installOffline(tool, `file:${tarball}`);
    project = join(work, 'my-operator');
    const out = run(
      tool,
      'npx',
      ['fedora-operator', 'init', 'my-operator', '--dir', project, '--framework', `file:${tarball}`],
      minutes(1),
    );
    expect(out).toContain('created my-operator');
    expect(readdirSync(project).sort()).toEqual(
      [
        '.gitignore',
        'Dockerfile',
        'README.md',
        'deploy',
        'jest.config.js',
        'package.json',
        'src',
        'test',
        'tsconfig.build.json',
        'tsconfig.json',
      ].sort(),
    );
  },
  minutes(6),
);

test(
  'the project installs from the tarball and builds, generating its CRD and RBAC',
  () => {
    installOffline(project, `file:${tarball}`);
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    expect(JSON.stringify(manifest)).not.toContain(frameworkDir);
    run(project, 'npm', ['run', 'build'], minutes(3));
    const crd = parse(
      readFileSync(join(project, 'deploy', 'crds', 'my-operator.example.com_widgets.yaml'), 'utf8'),
    );
    expect(crd.spec.versions[0].subresources).toEqual({ status: {} });
    const rbac = readFileSync(join(project, 'deploy', 'rbac.yaml'), 'utf8');
    expect(rbac).toContain('resources: [widgets/status]');
    expect(rbac).toContain('resources: [configmaps]');
    expect(rbac).toContain('resources: [leases]');
  },
  minutes(9),
);

test(
  "the project's own tests pass against the embedded control plane",
  () => {
    const out = run(project, 'npm', ['test'], minutes(8));
    expect(out).toMatch(/Tests:\s+2 passed, 2 total/);
  },
  minutes(9),
);

describe('npx fedora-operator run', () => {
  let ns: TestNamespace;
  beforeAll(async () => {
    ns = await createTestNamespace('scaffold');
  });
  afterAll(() => ns?.dispose());

  test(
    'the built operator handles a Widget',
    async () => {
      const client = new KubeClient(loadKubeConfig(process.env.KUBECONFIG));
      const crd = parse(
        readFileSync(join(project, 'deploy', 'crds', 'my-operator.example.com_widgets.yaml'), 'utf8'),
      ) as KubeObject;
      const crds = CoreResources.customResourceDefinition;
      await client.apply(crds, crd, { fieldManager: 'scaffold-test' });
      await waitForObject<KubeObject<unknown, { conditions?: { type: string; status: string }[] }>>(
        client,
        crds,
        undefined,
        crd.metadata.name ?? '',
        (o) => o?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false,
      );
      const widgets = {
        group: 'my-operator.example.com',
        version: 'v1',
        kind: 'Widget',
        plural: 'widgets',
        namespaced: true,
      };
      let output = '';
      const child = spawn(
        'npx',
        ['fedora-operator', 'run', 'dist/main.js', '--namespace', ns.name, '--log-format', 'text'],
        {
          cwd: project,
          env: { ...env(), KUBECONFIG: process.env.KUBECONFIG },
          stdio: ['ignore', 'pipe', 'pipe'],
          // Its own process group, stopped as a terminal stops it: npx and the operator get the signal.
          detached: true,
        },
      );
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
      try {
        await client.create(widgets, { metadata: { name: 'w1', namespace: ns.name }, spec: { size: 2 } });
        const handled = await waitForObject<KubeObject<unknown, { configMap?: string }>>(
          client,
          widgets,
          ns.name,
          'w1',
          (o) => o?.status?.configMap === 'w1-widget',
          { what: 'Widget w1 handled', timeoutMs: 60_000 },
        ).catch((error: Error) => {
          throw new Error(`${error.message}\noperator output:\n${output}`, { cause: error });
        });
        expect(handled?.status?.configMap).toBe('w1-widget');
      } finally {
        client.close();
      }
      if (!groupAlive(child.pid ?? 0)) throw new Error(`the operator exited on its own:\n${output}`);
      process.kill(-(child.pid ?? 0), 'SIGTERM');
      await exited;
      // Its output ends once the operator process has exited: it stopped gracefully.
      expect(output).toContain('received SIGTERM; stopping');
      expect(output).toContain('operator my-operator stopped');
    },
    minutes(3),
  );
});
