// One real control plane per test run; every test file makes its own namespace in it.
import { join } from 'node:path';
import { repoRoot, startControlPlane } from './control-plane.ts';

export default async function globalSetup(): Promise<void> {
  const log = (m: string) => process.stderr.write(`[cluster] ${m}\n`);
  // Owned by this jest process: a run killed outright leaves no etcd or apiserver behind.
  const state = await startControlPlane({
    profile: 'full',
    crdDirs: [join(repoRoot, 'crds')],
    ownerPid: process.pid,
    log,
  });
  log(`control plane ready in ${(state.startedInMs / 1000).toFixed(1)}s (logs in ${state.runDir})`);
  process.env.KUBECONFIG = state.kubeconfig;
  process.env.TESTCLUSTER_BIN = state.binDir;
  process.env.TESTCLUSTER_STATE = join(state.runDir, 'state.json');
  (globalThis as { __testcluster?: typeof state }).__testcluster = state;
}
