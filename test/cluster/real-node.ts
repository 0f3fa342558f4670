// The real node's daemons, started from inside the run's network namespace (real-cluster-up.ts
// runs there) next to a control plane of profile "real": containerd (Debian), the kubelet and
// kube-proxy (built from the control plane's module), all three in the run's private mount
// namespace (node-host.ts), then the cluster DNS (CoreDNS as an ordinary pod with its
// ServiceAccount behind the kube-dns Service).
//
// Fails when (each with the component's log tail, via logTails of the run folder): containerd's
// socket does not answer, an image archive does not import, the Node does not turn Ready, or
// CoreDNS does not turn Ready.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchDaemon, kubeconfigYaml, waitFor, type ClusterState } from './control-plane.ts';
import {
  cniConflist,
  containerdConfig,
  corednsObjects,
  kubeletConfig,
  kubeProxyConfig,
  nodePaths,
} from './node-config.ts';
import { COREDNS_IMAGE } from './node-images.ts';
import type { NodeNames } from './node-names.ts';
import { issueClientCert } from './pki.ts';

export interface NodeDaemons {
  containerdSocket: string;
  processes: { name: string; pid: number }[];
}

export async function startNodeDaemons(
  names: NodeNames,
  cluster: ClusterState,
  images: string[],
  log: (m: string) => void,
): Promise<NodeDaemons> {
  const paths = nodePaths(names);
  const dir = names.runDir;
  for (const d of [
    paths.cniConfDir,
    paths.cniIpamDir,
    paths.kubeletDir,
    paths.podLogsDir,
    paths.staticPodDir,
  ]) {
    mkdirSync(d, { recursive: true });
  }
  const processes: NodeDaemons['processes'] = [];
  // containerd, kubelet and kube-proxy share the run's mount namespace (fake /proc/sys
  // entries, private /run): volume mounts made by the kubelet must be visible to runc, and the
  // iptables lock of kube-proxy and the CNI plugins must be the same file.
  const inNodeMounts = (name: string, command: string, args: string[]) => {
    const pid = launchDaemon(dir, name, 'nsenter', [`--mount=${names.mountnsFile}`, '--', command, ...args]);
    processes.push({ name, pid });
  };
  const kubectl = (args: string[], input?: string) =>
    execFileSync(join(cluster.binDir, 'kubectl'), [`--kubeconfig=${cluster.kubeconfig}`, ...args], {
      input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });

  writeFileSync(join(dir, 'containerd.toml'), containerdConfig(paths));
  writeFileSync(join(paths.cniConfDir, '10-realnode.conflist'), cniConflist(names, paths));
  writeFileSync(join(dir, 'kubelet.yaml'), kubeletConfig(names, paths));
  writeFileSync(join(dir, 'kube-proxy.yaml'), kubeProxyConfig(names, paths));

  log('starting containerd');
  inNodeMounts('containerd', 'containerd', ['--config', join(dir, 'containerd.toml')]);
  const ctr = (...args: string[]) =>
    execFileSync('ctr', ['--address', paths.containerdSocket, '--namespace', 'k8s.io', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  await waitFor(
    'containerd',
    async () => {
      if (!existsSync(paths.containerdSocket)) return false;
      try {
        ctr('version');
        return true;
      } catch {
        return false;
      }
    },
    30_000,
  );
  for (const archive of images) {
    const started = Date.now();
    ctr('images', 'import', archive);
    log(`imported ${archive.split('/').pop()} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }

  const pkiDir = join(cluster.runDir, 'pki');
  const caCert = join(pkiDir, 'ca.crt');
  const userKubeconfig = (file: string, name: string, user: string, groups: string[] = []) => {
    const creds = issueClientCert(pkiDir, join(dir, 'pki'), name, user, groups);
    writeFileSync(file, kubeconfigYaml(cluster.server, { caCert, ...creds }), { mode: 0o600 });
  };
  userKubeconfig(paths.kubeletKubeconfig, 'kubelet', `system:node:${names.nodeName}`, ['system:nodes']);
  userKubeconfig(paths.kubeProxyKubeconfig, 'kube-proxy', 'system:kube-proxy');
  // RBAC only (no Node authorizer): the node's user needs the system:node role bound.
  kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `realnode:${names.nodeName}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node' },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `system:node:${names.nodeName}` },
      ],
    }),
  );

  log('starting the kubelet and kube-proxy');
  inNodeMounts('kubelet', join(cluster.binDir, 'kubelet'), [
    `--config=${join(dir, 'kubelet.yaml')}`,
    `--kubeconfig=${paths.kubeletKubeconfig}`,
    `--root-dir=${paths.kubeletDir}`,
    `--cert-dir=${join(paths.kubeletDir, 'pki')}`,
    `--hostname-override=${names.nodeName}`,
    `--node-ip=${names.nodeIp}`,
    '--v=1',
  ]);
  inNodeMounts('kube-proxy', join(cluster.binDir, 'kube-proxy'), [
    `--config=${join(dir, 'kube-proxy.yaml')}`,
    '--v=1',
  ]);
  kubectl(['wait', '--for=create', `node/${names.nodeName}`, '--timeout=60s']);
  kubectl(['wait', '--for=condition=Ready', `node/${names.nodeName}`, '--timeout=60s']);

  log('starting CoreDNS');
  kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: corednsObjects(names, COREDNS_IMAGE) }),
  );
  kubectl(['-n', 'kube-system', 'rollout', 'status', 'deployment/coredns', '--timeout=90s']);
  return { containerdSocket: paths.containerdSocket, processes };
}
