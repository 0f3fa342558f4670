import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCommand } from './init.js';
import { UsageError } from './usage-error.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'init-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('writes a project whose package.json pins Node and names the framework', async () => {
  const target = join(dir, 'mail-operator');
  const log = jest.spyOn(console, 'log').mockImplementation(() => {});
  expect(await initCommand(['mail-operator', '--dir', target, '--kind', 'Mailbox'])).toBe(0);
  log.mockRestore();
  expect(readdirSync(join(target, 'src')).sort()).toEqual(['mailbox.controller.ts', 'mailbox.ts', 'main.ts']);
  const manifest = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8'));
  expect(manifest.devDependencies.node).toMatch(/^\^24\./);
  expect(manifest.dependencies['@fedora-operators/framework']).toMatch(/^\^\d+\.\d+\.\d+$/);
  // The control plane's first build (about 10 min, or far longer) runs before jest, not inside a hook's timeout.
  expect(manifest.scripts.pretest).toBe('fedora-operator cluster --prepare');
  const tsconfig = JSON.parse(readFileSync(join(target, 'tsconfig.json'), 'utf8'));
  expect(tsconfig.compilerOptions).toMatchObject({
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
  });
  expect(tsconfig.compilerOptions.skipLibCheck).toBeUndefined();
});

test('refuses a folder that is not empty, and names that Kubernetes would refuse', async () => {
  writeFileSync(join(dir, 'keep.txt'), 'mine');
  await expect(initCommand(['my-operator', '--dir', dir])).rejects.toThrow(
    new UsageError(`${dir} exists and is not empty; choose another --dir`, 2),
  );
  expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('mine');
  await expect(initCommand(['My_Operator', '--dir', join(dir, 'x')])).rejects.toThrow('is not a usable name');
  await expect(initCommand(['ok', '--dir', join(dir, 'y'), '--kind', 'widget'])).rejects.toThrow(
    'must be CamelCase',
  );
});
