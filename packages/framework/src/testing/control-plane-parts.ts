// The parts of a local control plane, shared by the testing kit's embedded one
// (control-plane.ts) and the monorepo's test/cluster (which adds a controller-manager, KWOK or
// a real node): etcd's and kube-apiserver's flags, free ports, health probes, process groups
// (launched under an owner's watchdog), the admin kubeconfig. Only Node built-ins are imported (and types), so test/cluster's jest
// setup, which Node runs from source without a bundler, can load this file as it is.
// Fails: waitFor throws when a component does not become healthy in time; launchComponent when
// the process cannot be started; the rest do not throw.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet, type RequestOptions } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Pki } from './pki.js';

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Whether `url` answers 200 within 2 s (https with `tls` for the client certificate and CA). */
export function probe(url: string, tls?: RequestOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const onResponse = (res: { statusCode?: number; resume(): void }) => {
      res.resume();
      resolve(res.statusCode === 200);
    };
    const request = url.startsWith('https:')
      ? httpsGet(url, { ...tls, timeout: 2000 }, onResponse)
      : httpGet(url, { timeout: 2000 }, onResponse);
    request.on('error', () => resolve(false));
    request.on('timeout', () => request.destroy());
  });
}

/** Polls `check` until it holds; throws `<what> did not become healthy within <n> s` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what} did not become healthy within ${timeoutMs / 1000} s`);
}

/** A kubeconfig for one client-certificate user of the cluster at `server`. */
export function kubeconfigYaml(
  server: string,
  creds: { caCert: string; cert: string; key: string },
  name = 'embedded',
): string {
  const b64 = (file: string) => readFileSync(file).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
- name: ${name}
  cluster:
    server: ${server}
    certificate-authority-data: ${b64(creds.caCert)}
users:
- name: admin
  user:
    client-certificate-data: ${b64(creds.cert)}
    client-key-data: ${b64(creds.key)}
contexts:
- name: ${name}
  context: {cluster: ${name}, user: admin}
current-context: ${name}
`;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** sh -c watchdog _ <owner pid> <command...>: runs the command while the owner lives. */
const watchdog = `owner=$1; shift
"$@" & component=$!
trap 'kill $component 2>/dev/null' TERM INT HUP
while kill -0 "$owner" 2>/dev/null && kill -0 "$component" 2>/dev/null; do sleep 1; done
kill "$component" 2>/dev/null
wait "$component"`;

/**
 * Starts `command` in the background in its own process group (so stopping the group also stops
 * anything it forked), with its output in <logDir>/<name>.log; returns the group's pid.
 * With `ownerPid`, it runs under a watchdog shell that stops it once the owner is gone, even
 * killed with SIGKILL, so a crashed test run leaves no etcd or kube-apiserver behind.
 */
export function launchComponent(
  logDir: string,
  name: string,
  command: string,
  args: string[],
  ownerPid?: number,
): number {
  const out = openSync(join(logDir, `${name}.log`), 'a');
  const [file, argv] =
    ownerPid === undefined
      ? [command, args]
      : ['sh', ['-c', watchdog, 'watchdog', String(ownerPid), command, ...args]];
  const child = spawn(file, argv, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  return child.pid;
}

/** Stops process groups (last started first): SIGTERM, up to 15 s to exit, then SIGKILL. */
export async function stopProcessGroups(pids: number[]): Promise<void> {
  for (const pid of [...pids].reverse()) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 15_000;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids.filter(isAlive)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
}

/** etcd as a single-member, throwaway store on loopback (no fsync: tests need speed, not durability). */
export function etcdArgs(o: {
  name: string;
  dataDir: string;
  clientPort: number;
  peerPort: number;
}): string[] {
  return [
    `--name=${o.name}`,
    `--data-dir=${o.dataDir}`,
    `--listen-client-urls=http://127.0.0.1:${o.clientPort}`,
    `--advertise-client-urls=http://127.0.0.1:${o.clientPort}`,
    `--listen-peer-urls=http://127.0.0.1:${o.peerPort}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${o.peerPort}`,
    `--initial-cluster=${o.name}=http://127.0.0.1:${o.peerPort}`,
    '--initial-cluster-state=new',
    '--unsafe-no-fsync=true',
    '--logger=zap',
    '--log-level=warn',
  ];
}

export interface ApiserverFlags {
  etcdPort: number;
  securePort: number;
  pki: Pki;
  /** Where the apiserver keeps certificates it generates. */
  certDir: string;
  /**
   * A real kubelet node at this IP: listen on every address and advertise the node IP (the
   * \`kubernetes\` Service gets endpoints pods can reach), with ServiceAccount admission (pods
   * get tokens). Absent: loopback only, no endpoints, no ServiceAccount admission.
   */
  nodeIp?: string;
}

/** kube-apiserver with TLS, client-certificate admin and RBAC, as a cluster has them. */
export function apiserverArgs(o: ApiserverFlags): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${o.etcdPort}`,
    `--bind-address=${o.nodeIp ? '0.0.0.0' : '127.0.0.1'}`,
    `--advertise-address=${o.nodeIp ?? '127.0.0.1'}`,
    `--secure-port=${o.securePort}`,
    `--tls-cert-file=${o.pki.serverCert}`,
    `--tls-private-key-file=${o.pki.serverKey}`,
    `--client-ca-file=${o.pki.caCert}`,
    `--cert-dir=${o.certDir}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${o.pki.saPub}`,
    `--service-account-signing-key-file=${o.pki.saKey}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--authorization-mode=RBAC',
    '--allow-privileged=true',
    ...(o.nodeIp
      ? [
          '--endpoint-reconciler-type=lease',
          // Reach the kubelet by its InternalIP: the node's name does not resolve.
          '--kubelet-preferred-address-types=InternalIP',
        ]
      : ['--endpoint-reconciler-type=none', '--disable-admission-plugins=ServiceAccount']),
    '--profiling=false',
  ];
}
