// `npm pack` of each package holds what its package.json points at (main, types, exports, bin)
// and what the operator's CLI runs (dist/main.js), and no tests or build state.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface PackageJson {
  main: string;
  types: string;
  bin?: Record<string, string>;
  exports?: Record<string, { types: string; default: string }>;
}

/** The files `npm pack` would put in the tarball (offline: --dry-run). */
function packed(workspace: string): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--workspace', workspace], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [result] = JSON.parse(out) as { files: { path: string }[] }[];
  return (result?.files ?? []).map((f) => f.path);
}

const strip = (p: string) => p.replace(/^\.\//, '');

describe.each(['packages/framework', 'packages/koji-operator'])('npm pack of %s', (workspace) => {
  const pkg = JSON.parse(readFileSync(join(root, workspace, 'package.json'), 'utf8')) as PackageJson;
  const files = packed(workspace);

  test('holds main, types, every export and every bin', () => {
    const needed = [
      pkg.main,
      pkg.types,
      ...Object.values(pkg.bin ?? {}),
      ...Object.values(pkg.exports ?? {}).flatMap((e) => [e.types, e.default]),
    ].map(strip);
    for (const file of needed) expect({ file, packed: files.includes(file) }).toEqual({ file, packed: true });
    expect(files).toContain('README.md');
  });

  test('holds no tests or build state', () => {
    expect(files.filter((f) => /\.test\.|\.tsbuildinfo$/.test(f))).toEqual([]);
  });

  test('every bin starts with a node shebang', () => {
    for (const bin of Object.values(pkg.bin ?? {}))
      expect(readFileSync(join(root, workspace, bin), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });
});

test("the koji operator's package holds the module the operator image runs, and the image contract", () => {
  const files = packed('packages/koji-operator');
  expect(files).toContain('dist/main.js');
  expect(files).toContain('dist/images/contract.js');
});
