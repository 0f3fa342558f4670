// Packs `kubectl koji` for krew: kubectl-koji-v<version>.tar.gz holding a `kubectl-koji`
// launcher and the plugin with exactly its production dependencies (copied from this
// checkout's node_modules, so packing needs no network), and its sha256. The archive is
// reproducible (sorted entries, fixed times, owners and modes, gzip without a name or time), so
// deploy/krew/koji.yaml can carry its checksum; --write-manifest puts it there.
//
//   npm run build && node scripts/krew/pack.ts [--out DIR] [--write-manifest]
//
// How it fails: a missing build (dist/), a dependency that is not installed, or tar/gzip
// failing stops it with a message naming what is missing; nothing is half-written in --out.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface PackResult {
  archive: string;
  sha256: string;
  version: string;
}

interface PackageJson {
  name: string;
  version: string;
  files?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as PackageJson;

/** Node's resolution: the nearest node_modules/<name> from `from` up to the root. */
function resolvePackage(name: string, from: string, root: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dir === dirname(dir)) return undefined;
  }
}

/** Every installed directory the package needs at run time, keyed by its path under node_modules. */
function productionClosure(start: string, root: string): Map<string, string> {
  const found = new Map<string, string>();
  const queue: string[] = [start];
  while (queue.length) {
    const dir = queue.shift() ?? '';
    const pkg = readJson(join(dir, 'package.json'));
    const deps = { ...pkg.dependencies, ...pkg.optionalDependencies };
    for (const name of Object.keys(deps).sort()) {
      const at = resolvePackage(name, dir, root);
      if (!at) {
        if (pkg.optionalDependencies?.[name]) continue;
        throw new Error(`${pkg.name} needs ${name}, which is not installed: run npm ci first`);
      }
      const key = relative(join(root, 'node_modules'), at);
      if (found.has(key)) continue;
      found.set(key, at);
      queue.push(realpathSync(at));
    }
  }
  return found;
}

/** A workspace package as npm would publish it: package.json, README and its `files`. */
function copyPublished(from: string, to: string): void {
  const pkg = readJson(join(from, 'package.json'));
  mkdirSync(to, { recursive: true });
  for (const entry of ['package.json', 'README.md', ...(pkg.files ?? [])]) {
    if (entry.startsWith('!') || !existsSync(join(from, entry))) continue;
    cpSync(join(from, entry), join(to, entry), {
      recursive: true,
      filter: (src) => !src.endsWith('.tsbuildinfo'),
    });
  }
}

const launcher = `#!/bin/sh
# kubectl koji: runs the plugin with the Node.js on PATH (22 or newer).
here=$(dirname "$(readlink -f "$0")")
exec node "$here/node_modules/@fedora-operators/koji-operator/dist/kubectl-plugin/main.js" "$@"
`;

export function pack(root: string, outDir: string): PackResult {
  const pluginDir = join(root, 'packages/koji-operator');
  const { version } = readJson(join(pluginDir, 'package.json'));
  if (!existsSync(join(pluginDir, 'dist/kubectl-plugin/main.js')))
    throw new Error('packages/koji-operator/dist is missing: run `npm run build` first');
  const name = `kubectl-koji-v${version}`;
  const stage = mkdtempSync(join(tmpdir(), 'krew-pack-'));
  try {
    const top = join(stage, name);
    copyPublished(pluginDir, join(top, 'node_modules/@fedora-operators/koji-operator'));
    for (const [key, dir] of productionClosure(pluginDir, root)) {
      const real = realpathSync(dir);
      // Workspace packages are symlinks into packages/: copy what they publish.
      if (!relative(root, real).startsWith('node_modules'))
        copyPublished(real, join(top, 'node_modules', key));
      else cpSync(real, join(top, 'node_modules', key), { recursive: true, dereference: true });
    }
    writeFileSync(join(top, 'kubectl-koji'), launcher, { mode: 0o755 });
    cpSync(join(pluginDir, 'README.md'), join(top, 'README.md'));
    mkdirSync(outDir, { recursive: true });
    const archive = join(outDir, `${name}.tar.gz`);
    const tar = execFileSync(
      'tar',
      [
        '--sort=name',
        '--mtime=@0',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        '--mode=u+rwX,go+rX,go-w',
        '--format=gnu',
        '-C',
        stage,
        '-cf',
        '-',
        name,
      ],
      { maxBuffer: 1 << 30 },
    );
    const gz = execFileSync('gzip', ['-n', '-6'], { input: tar, maxBuffer: 1 << 30 });
    writeFileSync(archive, gz);
    const sha256 = createHash('sha256').update(gz).digest('hex');
    writeFileSync(`${archive}.sha256`, `${sha256}  ${name}.tar.gz\n`);
    return { archive, sha256, version };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** deploy/krew/koji.yaml with this version's archive and checksum. */
export function manifestWith(manifest: string, { version, sha256 }: PackResult): string {
  return manifest
    .replace(/^(\s*version: )v[\w.-]+$/m, `$1v${version}`)
    .replace(
      /download\/v[\w.-]+\/kubectl-koji-v[\w.-]+\.tar\.gz/,
      `download/v${version}/kubectl-koji-v${version}.tar.gz`,
    )
    .replace(/^(\s*sha256: )'?[0-9a-f]{64}'?$/m, `$1'${sha256}'`)
    .replace(/kubectl-koji-v[\w.-]+\/\*/, `kubectl-koji-v${version}/*`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: join(root, 'dist-krew') },
      'write-manifest': { type: 'boolean' },
    },
  });
  try {
    const result = pack(root, values.out ?? '');
    console.log(`${result.archive}\nsha256 ${result.sha256}`);
    if (values['write-manifest']) {
      const path = join(root, 'deploy/krew/koji.yaml');
      writeFileSync(path, manifestWith(readFileSync(path, 'utf8'), result));
      console.log('wrote deploy/krew/koji.yaml');
    }
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
