import type { RealCluster } from './real-cluster.ts';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __realcluster?: RealCluster }).__realcluster?.stop();
}
