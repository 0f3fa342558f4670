// Configuration files of the real node's daemons (containerd, CNI, kubelet, kube-proxy) and the
// cluster DNS objects, as pure functions of the run's names. Why each unusual setting is there:
//   - containerd restrict_oom_score_adj: root here lacks CAP_SYS_RESOURCE, so lowering
//     oom_score_adj fails and every sandbox dies with "can't get final child's PID from pipe";
//   - kubelet protectKernelDefaults false: its writes to vm.overcommit_memory, kernel.panic* and
//     kernel.keys.* land in plain files bind-mounted over /proc/sys in the node's own mount
//     namespace (node-host.ts), not in the machine's kernel;
//   - kube-proxy conntrack 0 and localhostNodePorts false: do not touch the (machine-wide)
//     conntrack table size and route_localnet;
//   - CNI ipMasq false and no uplink: pods can reach only what is inside the run's namespace.
import { stringify } from 'yaml';
import type { NodeNames } from './node-names.ts';
import { join } from 'node:path';

export interface NodePaths {
  containerdSocket: string;
  containerdRoot: string;
  containerdState: string;
  runcRoot: string;
  cniConfDir: string;
  cniIpamDir: string;
  kubeletDir: string;
  podLogsDir: string;
  staticPodDir: string;
  kubeletKubeconfig: string;
  kubeProxyKubeconfig: string;
}

export function nodePaths(names: NodeNames): NodePaths {
  const dir = (...parts: string[]) => join(names.runDir, ...parts);
  return {
    containerdSocket: dir('containerd', 'containerd.sock'),
    containerdRoot: dir('containerd', 'root'),
    containerdState: dir('containerd', 'state'),
    runcRoot: dir('containerd', 'runc'),
    cniConfDir: dir('cni', 'net.d'),
    cniIpamDir: dir('cni', 'ipam'),
    kubeletDir: dir('kubelet'),
    podLogsDir: dir('pod-logs'),
    staticPodDir: dir('manifests'),
    kubeletKubeconfig: dir('kubelet.kubeconfig'),
    kubeProxyKubeconfig: dir('kube-proxy.kubeconfig'),
  };
}

/** The image the sandbox of every pod runs (built locally, see local-images.ts). */
export const PAUSE_IMAGE = 'localhost/pause:1';

export function containerdConfig(paths: NodePaths): string {
  const q = JSON.stringify;
  return `version = 2
root = ${q(paths.containerdRoot)}
state = ${q(paths.containerdState)}
[grpc]
  address = ${q(paths.containerdSocket)}
[ttrpc]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(paths.containerdRoot, 'opt'))}
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(PAUSE_IMAGE)}
  disable_apparmor = true
  enable_selinux = false
  netns_mounts_under_state_dir = true
  restrict_oom_score_adj = true
  # As containerd 2.x does by default: pods may bind ports below 1024 without privileges
  # (a per-pod-network sysctl, net.ipv4.ip_unprivileged_port_start=0).
  enable_unprivileged_ports = true
  enable_unprivileged_icmp = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "/usr/sbin/runc"
        Root = ${q(paths.runcRoot)}
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = ${q(paths.cniConfDir)}
    max_conf_num = 1
`;
}

export function cniConflist(names: NodeNames, paths: NodePaths): string {
  return JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: 'realnode',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: paths.cniIpamDir,
            ranges: [[{ subnet: names.podCidr, gateway: names.podGateway }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

export function kubeletConfig(names: NodeNames, paths: NodePaths): string {
  const socket = `unix://${paths.containerdSocket}`;
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    cgroupsPerQOS: true,
    cgroupRoot: `/${names.cgroupRoot}`,
    enforceNodeAllocatable: [],
    failSwapOn: false,
    protectKernelDefaults: false,
    containerRuntimeEndpoint: socket,
    imageServiceEndpoint: socket,
    staticPodPath: paths.staticPodDir,
    podLogsDir: paths.podLogsDir,
    address: names.nodeIp,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: 10248,
    // The apiserver has no kubelet client certificate; only processes of this run's network
    // namespace can reach this port.
    authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
    authorization: { mode: 'AlwaysAllow' },
    podCIDR: names.podCidr,
    clusterDomain: names.clusterDomain,
    clusterDNS: [names.clusterDnsIp],
    resolvConf: '',
    evictionHard: {
      'memory.available': '100Mi',
      'nodefs.available': '1%',
      'nodefs.inodesFree': '1%',
      'imagefs.available': '1%',
    },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    maxPods: 60,
    syncFrequency: '10s',
    fileCheckFrequency: '5s',
    nodeStatusUpdateFrequency: '10s',
  });
}

export function kubeProxyConfig(names: NodeNames, paths: NodePaths): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig: paths.kubeProxyKubeconfig },
    mode: 'iptables',
    hostnameOverride: names.nodeName,
    clusterCIDR: names.podCidr,
    bindAddress: names.nodeIp,
    healthzBindAddress: '127.0.0.1:10256',
    metricsBindAddress: '127.0.0.1:10249',
    nodePortAddresses: [`${names.nodeIp}/32`],
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    iptables: { localhostNodePorts: false, masqueradeAll: false },
  });
}

/** The cluster DNS: CoreDNS as an ordinary pod with its ServiceAccount, behind kube-dns. */
export function corednsObjects(names: NodeNames, image: string): object[] {
  const labels = { 'k8s-app': 'kube-dns' };
  const ns = 'kube-system';
  const corefile = [
    `${names.clusterDomain}:53 in-addr.arpa:53 ip6.arpa:53 {`,
    '    errors',
    '    health :8080',
    '    ready :8181',
    `    kubernetes ${names.clusterDomain} in-addr.arpa ip6.arpa {`,
    '        pods insecure',
    '    }',
    '    cache 30',
    '    loadbalance',
    '}',
    '',
  ].join('\n');
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'system:coredns' },
      rules: [
        {
          apiGroups: [''],
          resources: ['endpoints', 'services', 'pods', 'namespaces'],
          verbs: ['list', 'watch'],
        },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'system:coredns' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
      subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace: ns }],
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'coredns', namespace: ns } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'coredns', namespace: ns },
      data: { Corefile: corefile },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'coredns',
            dnsPolicy: 'Default',
            containers: [
              {
                name: 'coredns',
                image,
                imagePullPolicy: 'Never',
                args: ['-conf', '/etc/coredns/Corefile'],
                ports: [
                  { name: 'dns', containerPort: 53, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                ],
                // CoreDNS's own manifest's probes: a loaded node must not restart its DNS.
                readinessProbe: {
                  httpGet: { path: '/ready', port: 8181 },
                  periodSeconds: 2,
                  timeoutSeconds: 5,
                },
                livenessProbe: {
                  httpGet: { path: '/health', port: 8080 },
                  initialDelaySeconds: 60,
                  timeoutSeconds: 5,
                  failureThreshold: 5,
                },
                volumeMounts: [{ name: 'config', mountPath: '/etc/coredns' }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: ns, labels },
      spec: {
        selector: labels,
        clusterIP: names.clusterDnsIp,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        ],
      },
    },
  ];
}
