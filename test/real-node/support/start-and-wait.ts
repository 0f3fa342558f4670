// Starts a real cluster with one pod running, prints its names and the reaper's pid as one JSON
// line, then waits to be killed: the crashed owner of cleanup.test.ts.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { BUSYBOX_IMAGE } from '../../cluster/node-images.ts';
import { startRealCluster } from '../../cluster/real-cluster.ts';

const cluster = await startRealCluster({ log: (m) => process.stderr.write(`[crash-owner] ${m}\n`) });
execFileSync(join(cluster.binDir, 'kubectl'), [`--kubeconfig=${cluster.kubeconfig}`, 'apply', '-f', '-'], {
  input: JSON.stringify(busyboxPod()),
});
execFileSync(join(cluster.binDir, 'kubectl'), [
  `--kubeconfig=${cluster.kubeconfig}`,
  'wait',
  '--for=condition=Ready',
  'pod/sleeper',
  '--timeout=120s',
]);
process.stdout.write(`${JSON.stringify({ names: cluster.names, reaperPid: cluster.reaperPid })}\n`);
setInterval(() => {}, 60_000);

function busyboxPod(): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'sleeper', namespace: 'default' },
    spec: {
      containers: [
        {
          name: 'main',
          image: BUSYBOX_IMAGE,
          imagePullPolicy: 'Never',
          command: ['sleep', '3600'],
          volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
        },
      ],
      volumes: [{ name: 'scratch', emptyDir: {} }],
    },
  };
}
