// A real-node run leaves nothing on the machine - no process, mount, network namespace, cgroup,
// iptables rule, kernel setting or host folder - whether it is stopped or its owner is killed
// (the reaper sweeps it). Each case starts a run of its own next to the suite's run, which also
// shows that two runs on one machine do not clash.
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive } from '../cluster/control-plane.ts';
import { runMarks, runProcesses, type RunMarks } from '../cluster/node-host.ts';
import type { NodeNames } from '../cluster/node-names.ts';
import { startRealCluster } from '../cluster/real-cluster.ts';
import { BUSYBOX_IMAGE } from '../cluster/node-images.ts';
import { diffSnapshots, takeSnapshot } from './support/host-snapshot.ts';

const log = (m: string) => process.stderr.write(`[cleanup-test] ${m}\n`);
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup().catch(() => {});
});

function expectNothingLeft(names: NodeNames, marks: RunMarks, before: ReturnType<typeof takeSnapshot>): void {
  expect(runProcesses(marks).map((p) => `${p.pid} ${p.cmdline}`)).toEqual([]);
  expect(diffSnapshots(before, takeSnapshot(), names.runId)).toEqual([]);
  expect(existsSync(names.runDir)).toBe(false);
  expect(existsSync(names.controlPlaneDir)).toBe(false);
  expect(existsSync(`${names.runDir}.reaper.log`)).toBe(false);
}

describe('cleanup of a real-node run', () => {
  it('leaves nothing after stop, with a pod running', async () => {
    const before = takeSnapshot();
    const cluster = await startRealCluster({ log });
    cleanups.push(() => cluster.stop());
    const kubectl = (args: string[], input?: string) =>
      execFileSync(join(cluster.binDir, 'kubectl'), [`--kubeconfig=${cluster.kubeconfig}`, ...args], {
        input,
        encoding: 'utf8',
      });
    kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'sleeper', namespace: 'default' },
        spec: {
          containers: [
            { name: 'main', image: BUSYBOX_IMAGE, imagePullPolicy: 'Never', command: ['sleep', '3600'] },
          ],
        },
      }),
    );
    kubectl(['wait', '--for=condition=Ready', 'pod/sleeper', '--timeout=120s']);
    const marks = runMarks(cluster.names);
    // The snapshot sees a live run (its namespace handles are mounted, its cgroup exists) ...
    expect(diffSnapshots(before, takeSnapshot(), cluster.names.runId).length).toBeGreaterThan(0);
    expect(runProcesses(marks).length).toBeGreaterThan(5);
    // ... and nothing of it after stop.
    await cluster.stop();
    expectNothingLeft(cluster.names, marks, before);
  });

  it('leaves nothing after its owner is killed', async () => {
    const before = takeSnapshot();
    const owner = spawn(
      process.execPath,
      [join(dirname(fileURLToPath(import.meta.url)), 'support', 'start-and-wait.ts')],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    cleanups.push(async () => owner.kill('SIGKILL'));
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: owner.stdout }).once('line', resolve);
      owner.once('exit', (code) => reject(new Error(`the owner exited with ${code} before the run was up`)));
    });
    const { names, reaperPid } = JSON.parse(line) as { names: NodeNames; reaperPid: number };
    const marks = runMarks(names);
    expect(runProcesses(marks).length).toBeGreaterThan(5);
    owner.kill('SIGKILL');
    const deadline = Date.now() + 120_000;
    while (isAlive(reaperPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(isAlive(reaperPid)).toBe(false);
    expectNothingLeft(names, marks, before);
  });
});
