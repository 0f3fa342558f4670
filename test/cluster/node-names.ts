// Every name one real-node run owns on this machine, derived from one random run id, so that two
// runs (two jest processes, a test inside a run, the demo) never clash and a reaper can find
// all of a run's leftovers from this record alone.
//
// Addresses (node IP, pod and Service ranges) are the same in every run: they live inside the
// run's own network namespace, which has no interface or route to anything outside it.
import { join } from 'node:path';

export interface NodeNames {
  runId: string;
  /** Node state on disk: containerd root and state, kubelet dir, logs, configs, namespace files. */
  runDir: string;
  /** The control plane's folder (etcd data, PKI, logs) on tmpfs. */
  controlPlaneDir: string;
  /** Bind-mounted handles of the run's network and mount namespaces. */
  netnsFile: string;
  mountnsFile: string;
  /** Top-level cgroup (in every v1 hierarchy) that holds the pods: kubelet's cgroupRoot. */
  cgroupRoot: string;
  nodeName: string;
  nodeIp: string;
  podCidr: string;
  podGateway: string;
  serviceCidr: string;
  /** The `kubernetes` Service's ClusterIP (first address of serviceCidr). */
  apiServiceIp: string;
  clusterDnsIp: string;
  clusterDomain: string;
}

/** The prefix of every run folder and cgroup; the stale-run sweep looks for it. */
export const RUN_PREFIX = 'tcnode-';

export function nodeNames(runId: string, diskBase: string, tmpfsBase: string): NodeNames {
  if (!/^[a-z0-9]{4,16}$/.test(runId)) throw new Error(`test/cluster: bad run id ${JSON.stringify(runId)}`);
  const runDir = join(diskBase, `${RUN_PREFIX}${runId}`);
  return {
    runId,
    runDir,
    controlPlaneDir: join(tmpfsBase, `${RUN_PREFIX}${runId}`),
    netnsFile: join(runDir, 'ns', 'net'),
    mountnsFile: join(runDir, 'ns', 'mnt'),
    cgroupRoot: `${RUN_PREFIX}${runId}`,
    nodeName: 'realnode-0',
    nodeIp: '10.200.0.1',
    podCidr: '10.244.0.0/24',
    podGateway: '10.244.0.1',
    serviceCidr: '10.0.0.0/24',
    apiServiceIp: '10.0.0.1',
    clusterDnsIp: '10.0.0.10',
    clusterDomain: 'cluster.local',
  };
}
