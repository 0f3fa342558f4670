// bundle/ is what `npm run bundle` generates, and operator-sdk (built from the Go module proxy
// by test/bundle/build.sh) accepts it as an OLM bundle; a bundle missing an owned CRD is refused,
// so the validator really looks.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFiles } from '../../scripts/bundle/bundle.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const version = (
  JSON.parse(readFileSync(join(root, 'packages/koji-operator/package.json'), 'utf8')) as { version: string }
).version;

// Cached after the first build (npm test's setup step builds it); the first build can take minutes.
const operatorSdk = () =>
  execFileSync('bash', [join(root, 'test/bundle/build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .at(-1) ?? '';

function validate(dir: string, ...extra: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      operatorSdk(),
      ['bundle', 'validate', dir, ...extra],
      { encoding: 'utf8' },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

test('bundle/ holds exactly what the generator makes (run `npm run bundle` after changing its inputs)', () => {
  const files = bundleFiles(root, version);
  for (const file of files)
    expect({ path: file.path, text: readFileSync(join(root, 'bundle', file.path), 'utf8') }).toEqual(file);
  const generated = files
    .filter((f) => f.path.startsWith('manifests/'))
    .map((f) => f.path.slice('manifests/'.length));
  expect(readdirSync(join(root, 'bundle/manifests')).sort()).toEqual(generated.sort());
});

test('the CSV owns the five CRDs and runs the contract image of the operator', () => {
  const csv =
    bundleFiles(root, version).find((f) => f.path.endsWith('.clusterserviceversion.yaml'))?.text ?? '';
  for (const plural of ['kojihubs', 'kojiwebs', 'kojiras', 'kojibuilders', 'kojiusers'])
    expect(csv).toContain(`name: ${plural}.koji.fedoraproject.org`);
  expect(csv).toMatch(/image: quay\.io\/koji-operator\/koji-operator:\d+\.\d+\.\d+-\d+/);
  expect(csv).not.toMatch(/:latest\b/);
});

test('operator-sdk bundle validate accepts bundle/, with the operatorframework suite', async () => {
  const { code, output } = await validate(
    join(root, 'bundle'),
    '--select-optional',
    'suite=operatorframework',
  );
  expect({ code, output }).toEqual({
    code: 0,
    output: expect.stringContaining('All validation tests have completed successfully'),
  });
});

test('operator-sdk refuses a bundle whose CSV owns a CRD the bundle lacks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
  try {
    cpSync(join(root, 'bundle'), dir, { recursive: true });
    rmSync(join(dir, 'manifests/koji.fedoraproject.org_kojiusers.yaml'));
    const { code, output } = await validate(dir);
    expect(code).not.toBe(0);
    expect(output).toMatch(/owned CRD .*Kind=KojiUser.* not found in bundle/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
