// What `npm pack` puts in the framework's tarball, as a user installing it gets it: compiled
// code with types, source maps whose sources are in the tarball too (stack traces and
// go-to-definition name files that exist), no build-info or test files, an executable bin,
// the embedded control plane's build inputs, and an `engines` range the Kubernetes client's own dependencies accept.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  engines: { node: string };
};

interface PackedFile {
  path: string;
  mode: number;
}

let files: PackedFile[];

beforeAll(() => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json'], {
    cwd: packageDir,
    encoding: 'utf8',
  });
  files = (JSON.parse(out) as { files: PackedFile[] }[])[0]?.files ?? [];
});

test('ships the compiled entry points, the testing kit and the bin, and no build-info or test files', () => {
  const paths = files.map((f) => f.path);
  expect(paths).toEqual(
    expect.arrayContaining([
      'dist/index.js',
      'dist/index.d.ts',
      'dist/testing/index.js',
      'dist/testing/index.d.ts',
      manifest.bin['fedora-operator'],
      'README.md',
      // What the testing kit builds the embedded control plane from.
      'control-plane/build.sh',
      'control-plane/versions.env',
      'control-plane/kubebins/go.mod',
      'control-plane/kubebins/go.sum',
    ]),
  );
  expect(paths.filter((p) => p.endsWith('.tsbuildinfo'))).toEqual([]);
  expect(paths.filter((p) => /\.test\.[jt]s$/.test(p))).toEqual([]);
});

test("every source map's sources are in the tarball", () => {
  const paths = new Set(files.map((f) => f.path));
  const maps = files.filter((f) => f.path.endsWith('.map'));
  expect(maps.length).toBeGreaterThan(0);
  const missing = maps.flatMap((map) => {
    const { sources } = JSON.parse(readFileSync(join(packageDir, map.path), 'utf8')) as { sources: string[] };
    return sources
      .map((s) => normalize(join(dirname(map.path), s)))
      .filter((s) => !paths.has(s))
      .map((s) => `${map.path} -> ${s}`);
  });
  expect(missing).toEqual([]);
});

test("engines.node is at least what @kubernetes/client-node's undici needs", () => {
  const clientNode = join(packageDir, '..', '..', 'node_modules', '@kubernetes', 'client-node');
  const undici = JSON.parse(readFileSync(join(clientNode, '..', '..', 'undici', 'package.json'), 'utf8')) as {
    engines: { node: string };
  };
  const floor = (range: string) => (/>=\s*([\d.]+)/.exec(range)?.[1] ?? '0').split('.').map(Number);
  const [ours, theirs] = [floor(manifest.engines.node), floor(undici.engines.node)];
  const cmp = [0, 1, 2].map((i) => (ours[i] ?? 0) - (theirs[i] ?? 0)).find((d) => d !== 0) ?? 0;
  expect({ ours: manifest.engines.node, theirs: undici.engines.node, oursIsAtLeastTheirs: cmp >= 0 }).toEqual(
    {
      ours: manifest.engines.node,
      theirs: undici.engines.node,
      oursIsAtLeastTheirs: true,
    },
  );
});
