// The krew archive of `kubectl koji` is real: packed twice it is the same bytes (so a checksum
// in the manifest means something), it unpacks to a launcher that runs the plugin with its
// dependencies, and the manifest the pack script writes carries that archive's sha256.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manifestWith, pack, type PackResult } from '../../scripts/krew/pack.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
let dir: string;
let first: PackResult;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'krew-test-'));
  first = pack(root, join(dir, 'a'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('packs reproducibly, with a checksum file that matches', () => {
  const second = pack(root, join(dir, 'b'));
  expect(second.sha256).toBe(first.sha256);
  const bytes = readFileSync(first.archive);
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(first.sha256);
  expect(readFileSync(`${first.archive}.sha256`, 'utf8')).toBe(
    `${first.sha256}  kubectl-koji-v${first.version}.tar.gz\n`,
  );
});

test('the unpacked launcher runs the plugin, dependencies included', () => {
  const { archive, version } = first;
  const unpacked = join(dir, 'unpacked');
  execFileSync('mkdir', ['-p', unpacked]);
  execFileSync('tar', ['-xzf', archive, '-C', unpacked]);
  // Outside the repository: nothing can come from the checkout's node_modules.
  const help = execFileSync(join(unpacked, `kubectl-koji-v${version}`, 'kubectl-koji'), ['--help'], {
    cwd: tmpdir(),
    encoding: 'utf8',
    env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: dir },
  });
  expect(help).toMatch(/^kubectl koji: run koji commands as the Koji admin/);
});

test("the manifest gets the archive's version, URL and sha256; the committed one is not a placeholder", () => {
  const manifest = readFileSync(join(root, 'deploy/krew/koji.yaml'), 'utf8');
  const written = manifestWith(manifest, { archive: '', version: '9.8.7', sha256: 'ab'.repeat(32) });
  expect(written).toContain(`sha256: '${'ab'.repeat(32)}'`);
  expect(written).toContain('releases/download/v9.8.7/kubectl-koji-v9.8.7.tar.gz');
  expect(written).toMatch(/^ {2}version: v9\.8\.7$/m);
  expect(written).toContain("from: 'kubectl-koji-v9.8.7/*'");
  expect(manifest).toMatch(/sha256: '[0-9a-f]{64}'/);
  expect(manifest).not.toMatch(/sha256: '0{64}'/);
});
