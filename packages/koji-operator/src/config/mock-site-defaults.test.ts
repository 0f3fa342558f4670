// The rendered site-defaults.cfg as mock reads it: mock execs the file as Python with
// `config_opts` in scope (mockbuild/config.py), so python3 does exactly that here.
import { execFileSync } from 'node:child_process';
import { kojidPaths } from '../images/contract.js';
import { renderMockSiteDefaults } from './mock-site-defaults.js';

/** config_opts after exec'ing the text over mock's defaults for the keys this file sets. */
function asMockReadsIt(text: string): Record<string, unknown> {
  const program = [
    'import json, sys',
    // mock 6.x's defaults for the two CA options (setup_default_config_opts).
    "config_opts = {'ssl_copied_ca_trust_dirs': None, 'ssl_ca_bundle_path': None, 'ssl_extra_certs': None}",
    "exec(compile(sys.stdin.read(), '/etc/mock/site-defaults.cfg', 'exec'), {'config_opts': config_opts})",
    'print(json.dumps(config_opts))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', program], { input: text, encoding: 'utf8' })) as Record<
    string,
    unknown
  >;
}

const text = renderMockSiteDefaults({ builderName: 'default', caSecret: 'koji-hub-ca-cert' });

test("python3 runs it as mock does, and mock then copies the trust that holds the hub's anchor into its chroots", () => {
  const opts = asMockReadsIt(text);
  const dirs = opts.ssl_copied_ca_trust_dirs as [string, string][];
  expect(dirs).toContainEqual(['/etc/pki/ca-trust', '/etc/pki/ca-trust']);
  // The anchor and the extracted bundles the pod mounts are inside a copied tree, at the same
  // place in the chroot as in the container.
  for (const path of [kojidPaths.hubCaAnchor, `${kojidPaths.caTrustExtracted}/pem/tls-ca-bundle.pem`]) {
    const pair = dirs.find(([from]) => path.startsWith(`${from}/`));
    expect(pair).toBeDefined();
    expect(pair![1]).toBe(pair![0]);
  }
  // The two options that do not make a CA trusted are left at mock's defaults.
  expect(opts.ssl_ca_bundle_path).toBeNull();
  expect(opts.ssl_extra_certs).toBeNull();
});

test('it says where the CA comes from, in comments only', () => {
  expect(text).toContain('Secret koji-hub-ca-cert');
  const code = text.split('\n').filter((l) => l.trim() && !l.startsWith('#') && !l.startsWith('    ('));
  expect(code.every((l) => /^config_opts\[|^\]$/.test(l))).toBe(true);
});
