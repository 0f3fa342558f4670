import { stopControlPlane, type ClusterState } from './control-plane.ts';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as { __testcluster?: ClusterState }).__testcluster;
  if (state) await stopControlPlane(state);
}
