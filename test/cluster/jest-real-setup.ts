// One real cluster (control plane + real node, profile "real") per run of the `real` jest
// project. Tests reach the API through the loopback bridge ($KUBECONFIG) and run commands in the
// run's network namespace through $TESTCLUSTER_NETNS (see test/real-node/support/node.ts).
import { startRealCluster, type RealCluster } from './real-cluster.ts';

export default async function globalSetup(): Promise<void> {
  const log = (m: string) => process.stderr.write(`[real-node] ${m}\n`);
  const cluster = await startRealCluster({ log });
  const seconds = (ms = 0) => `${(ms / 1000).toFixed(1)}s`;
  log(
    `ready in ${seconds(cluster.timings.total)} (build ${seconds(cluster.timings.build)}, images ${seconds(cluster.timings.images)}, control plane + node ${seconds(cluster.timings.cluster)}); run ${cluster.names.runId} in ${cluster.names.runDir}`,
  );
  process.env.KUBECONFIG = cluster.kubeconfig;
  process.env.TESTCLUSTER_BIN = cluster.binDir;
  process.env.TESTCLUSTER_NAMES = `${cluster.names.runDir}/names.json`;
  process.env.TESTCLUSTER_NETNS = cluster.names.netnsFile;
  process.env.TESTCLUSTER_CONTAINERD = cluster.containerdSocket;
  (globalThis as { __realcluster?: RealCluster }).__realcluster = cluster;
}
