import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCommand } from './generate.js';

const fixture = fileURLToPath(new URL('../../test/fixtures/scale-ledger-operator.mjs', import.meta.url));

test('generate rbac --sharding adds the sharding Role; a bad value is a usage error', async () => {
  jest.spyOn(console, 'error').mockImplementation(() => {});
  const out = join(mkdtempSync(join(tmpdir(), 'rbac-')), 'rbac.yaml');
  expect(
    await generateCommand(['rbac', fixture, '--namespace', 'ops', '--sharding', 'auto', '--out', out]),
  ).toBe(0);
  const text = readFileSync(out, 'utf8');
  expect(text).toContain('name: operator-sharding');
  expect(text).toContain('replicasets');
  await expect(generateCommand(['rbac', fixture, '--sharding', 'lots'])).rejects.toThrow(
    "--sharding takes auto or a whole number >= 1, got 'lots'",
  );
});
