// `npm run cluster:up` / `cluster:down`: a local control plane for people. The
// components keep running after this command exits; their state is kept in
// .testcluster/current.json so `down` can stop exactly them.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  logTails,
  repoRoot,
  startControlPlane,
  stopControlPlane,
  type ClusterState,
} from './control-plane.ts';

const stateFile = join(repoRoot, '.testcluster', 'current.json');
const log = (m: string) => process.stderr.write(`[cluster] ${m}\n`);

async function up(): Promise<void> {
  if (existsSync(stateFile)) {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as ClusterState;
    if (existsSync(state.kubeconfig)) {
      log(`already running; stop it with 'npm run cluster:down'`);
      console.log(`export KUBECONFIG=${state.kubeconfig}`);
      return;
    }
  }
  const profile = process.argv.includes('--minimal') ? 'minimal' : 'full';
  const state = await startControlPlane({ profile, crdDirs: [join(repoRoot, 'crds')], log });
  mkdirSync(join(repoRoot, '.testcluster'), { recursive: true });
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  log(`ready in ${(state.startedInMs / 1000).toFixed(1)}s at ${state.server} (logs in ${state.runDir})`);
  console.log(`export KUBECONFIG=${state.kubeconfig}`);
}

async function down(): Promise<void> {
  if (!existsSync(stateFile)) {
    log('no local control plane is recorded as running');
    return;
  }
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as ClusterState;
  await stopControlPlane(state);
  rmSync(stateFile);
  log('stopped');
}

const command = process.argv[2];
const run = command === 'up' ? up : command === 'down' ? down : undefined;
if (!run) {
  console.error('usage: node test/cluster/cli.ts up [--minimal] | down');
  process.exit(2);
}
run().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  if (existsSync(stateFile)) console.error(logTails(JSON.parse(readFileSync(stateFile, 'utf8')).runDir));
  process.exit(1);
});
