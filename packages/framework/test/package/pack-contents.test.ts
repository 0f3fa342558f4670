// What `npm pack` puts in the framework's tarball beyond what every package of the monorepo is
// checked for (entry points, bin, no tests or build-info: test/packaging/npm-pack.test.ts):
// source maps whose sources are in the tarball too (stack traces and go-to-definition name
// files that exist), the embedded control plane's build inputs, and an `engines` range the
// Kubernetes client's own dependencies accept.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
  engines: { node: string };
};

interface PackedFile {
  path: string;
}

let files: PackedFile[];

beforeAll(() => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json'], {
    cwd: packageDir,
    encoding: 'utf8',
  });
  files = (JSON.parse(out) as { files: PackedFile[] }[])[0]?.files ?? [];
});

test('ships what the testing kit builds the embedded control plane from', () => {
  expect(files.map((f) => f.path)).toEqual(
    expect.arrayContaining([
      'control-plane/build.sh',
      'control-plane/versions.env',
      'control-plane/kubebins/go.mod',
      'control-plane/kubebins/go.sum',
      'control-plane/kubebins/cmd/etcd/main.go',
    ]),
  );
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
