import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterCommand } from './cluster.js';

// `cluster --prepare` is a scaffolded project's `pretest`: the first build of the control plane
// takes 15-25 minutes, far past any test's timeout, so it must happen there and not in a test.
let dir: string;
const saved = { KUBECONFIG: process.env.KUBECONFIG, TESTCLUSTER_BIN: process.env.TESTCLUSTER_BIN };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prepare-'));
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

test('--prepare checks the binaries and says which one is missing', async () => {
  delete process.env.KUBECONFIG;
  process.env.TESTCLUSTER_BIN = dir;
  await expect(clusterCommand(['--prepare'])).rejects.toThrow(`etcd is missing from ${dir}`);
});

test('--prepare builds nothing when KUBECONFIG names the cluster the tests use', async () => {
  process.env.KUBECONFIG = join(dir, 'kubeconfig');
  process.env.TESTCLUSTER_BIN = dir;
  expect(await clusterCommand(['--prepare'])).toBe(0);
});
