// Runs inside the run's network namespace (real-cluster.ts starts it with nsenter): starts the
// control plane of profile "real", the in-namespace half of the API bridge and the node's
// daemons, writes the run's state to <runDir>/state.json and exits; what it started keeps
// running (detached) until the run is swept. Progress goes to stderr.
//
// usage: node test/cluster/real-cluster-up.ts <names.json> <image archive>...
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchDaemon, repoRoot, startControlPlane } from './control-plane.ts';
import type { NodeNames } from './node-names.ts';
import { startNodeDaemons } from './real-node.ts';

export interface InnerState {
  controlPlane: Awaited<ReturnType<typeof startControlPlane>>;
  containerdSocket: string;
  apiSocket: string;
  processes: { name: string; pid: number }[];
}

async function main(): Promise<void> {
  const [namesFile, ...images] = process.argv.slice(2);
  if (!namesFile) throw new Error('usage: real-cluster-up.ts <names.json> <image archive>...');
  const names = JSON.parse(readFileSync(namesFile, 'utf8')) as NodeNames;
  const log = (m: string) => process.stderr.write(`[real-node ${names.runId}] ${m}\n`);
  const controlPlane = await startControlPlane({
    profile: 'real',
    runDir: names.controlPlaneDir,
    nodeIp: names.nodeIp,
    crdDirs: [join(repoRoot, 'crds')],
    log,
  });
  log(`control plane ready in ${(controlPlane.startedInMs / 1000).toFixed(1)}s`);
  // The API as a unix socket: sockets in the filesystem are reachable from any network
  // namespace, so the host-side half of the bridge (a loopback port) can forward to it.
  const apiSocket = join(names.runDir, 'api.sock');
  const apiPort = new URL(controlPlane.server).port;
  const bridgePid = launchDaemon(names.runDir, 'api-bridge-inner', 'socat', [
    `UNIX-LISTEN:${apiSocket},fork,mode=600,unlink-early`,
    `TCP:127.0.0.1:${apiPort}`,
  ]);
  const node = await startNodeDaemons(names, controlPlane, images, log);
  const state: InnerState = {
    controlPlane,
    containerdSocket: node.containerdSocket,
    apiSocket,
    processes: [...controlPlane.processes, { name: 'api-bridge-inner', pid: bridgePid }, ...node.processes],
  };
  writeFileSync(join(names.runDir, 'state.json'), JSON.stringify(state, null, 2));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
