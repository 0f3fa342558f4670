// A control plane started for a jest run belongs to the process that started it: when that
// process is killed outright (SIGKILL, an OOM kill, a CI timeout), its etcd and kube-apiserver
// stop too, instead of running on and holding ports and memory until someone notices.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './control-plane.ts';
import { processesWith } from '../support/processes.ts';

test('an owner killed with SIGKILL leaves no etcd or kube-apiserver behind', async () => {
  const controlPlane = join(repoRoot, 'test', 'cluster', 'control-plane.ts');
  const owner = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { startControlPlane } = await import(${JSON.stringify(controlPlane)});
       const state = await startControlPlane({ profile: 'minimal', ownerPid: process.pid });
       console.log(state.runDir);
       setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const runDir = await new Promise<string>((resolve, reject) => {
    owner.stdout.on('data', (c: Buffer) => resolve(c.toString().trim()));
    owner.on('exit', (code) => reject(new Error(`the owner exited with ${code} before starting`)));
  });
  expect(processesWith(runDir).length).toBeGreaterThanOrEqual(2);
  owner.kill('SIGKILL');
  const deadline = Date.now() + 20_000;
  while (processesWith(runDir).length > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 250));
  const left = processesWith(runDir);
  // Clean up before asserting, so a failure does not leak the processes it reports.
  for (const line of left) {
    const pid = readdirSync('/proc').find((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').replaceAll('\0', ' ') === line;
      } catch {
        return false;
      }
    });
    if (pid) process.kill(Number(pid), 'SIGKILL');
  }
  expect(left).toEqual([]);
}, 120_000);
