// An embedded Kubernetes control plane for tests, like controller-runtime's envtest: a real
// etcd and kube-apiserver on loopback ports, TLS with a throwaway PKI, RBAC on, an admin
// kubeconfig. No controller-manager or nodes: objects are stored and validated exactly as in a
// cluster, but nothing garbage-collects children or finishes deleting namespaces.
//
// Binaries: TESTCLUSTER_BIN (a folder with etcd and kube-apiserver), else the build script
// shipped in this package builds them once per machine from the Go module proxy into
// ~/.cache/testcluster (needs Go; 15-25 minutes the first time, progress on stderr; later
// runs reuse them in seconds).
//
// Each component runs under a watchdog shell that stops it once this process is gone, even
// killed with SIGKILL, so a crashed test run leaves no etcd or kube-apiserver behind.
//
// Fails with an Error naming what is missing (Go, openssl, a binary) or which component did
// not become healthy, with the tail of its log.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet, type RequestOptions } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePki, type Pki } from './pki.js';

export interface ControlPlane {
  kubeconfig: string;
  server: string;
  /** Folder of the component logs and data; removed by stop(). */
  runDir: string;
  stop(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** sh -c watchdog _ <owner pid> <command...>: runs the command while the owner lives. */
const watchdog = `owner=$1; shift
"$@" & component=$!
trap 'kill $component 2>/dev/null' TERM INT HUP
while kill -0 "$owner" 2>/dev/null && kill -0 "$component" 2>/dev/null; do sleep 1; done
kill "$component" 2>/dev/null
wait "$component"`;

/** The build script: shipped in the package (control-plane/), or test/cluster's in the monorepo. */
function buildScript(): string {
  const candidates = [
    join(here, '..', '..', 'control-plane', 'build.sh'),
    join(here, '..', '..', '..', '..', 'test', 'cluster', 'build.sh'),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found)
    throw new Error(`the control-plane build script is missing (looked at ${candidates.join(', ')})`);
  return found;
}

/** The folder with etcd and kube-apiserver, built on first use (progress goes to stderr). */
export function ensureControlPlaneBinaries(log: (message: string) => void = () => {}): string {
  let binDir = process.env.TESTCLUSTER_BIN;
  if (!binDir) {
    log('checking the control-plane binaries (the first build takes 15-25 minutes and needs Go)');
    const out = execFileSync('bash', [buildScript()], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    binDir = out.trim().split('\n').pop() ?? '';
  }
  for (const name of ['etcd', 'kube-apiserver']) {
    if (!existsSync(join(binDir, name))) {
      throw new Error(
        `${name} is missing from ${binDir}; unset TESTCLUSTER_BIN or rebuild the control plane`,
      );
    }
  }
  return binDir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function healthy(url: string, tls?: RequestOptions): Promise<boolean> {
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

async function waitHealthy(what: string, check: () => Promise<boolean>, runDir: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  const log = join(runDir, `${what}.log`);
  const tail = existsSync(log) ? readFileSync(log, 'utf8').trimEnd().split('\n').slice(-20).join('\n') : '';
  throw new Error(`${what} did not become healthy within 60 s; the end of its log:\n${tail}`);
}

function kubeconfigYaml(server: string, pki: Pki): string {
  const b64 = (file: string) => readFileSync(file).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
- name: embedded
  cluster:
    server: ${server}
    certificate-authority-data: ${b64(pki.caCert)}
users:
- name: admin
  user:
    client-certificate-data: ${b64(pki.adminCert)}
    client-key-data: ${b64(pki.adminKey)}
contexts:
- name: embedded
  context: {cluster: embedded, user: admin}
current-context: embedded
`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopProcesses(pids: number[]): Promise<void> {
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

/** Starts etcd and kube-apiserver on free loopback ports; about 5-10 s once the binaries exist. */
export async function startControlPlane(
  options: { log?: (message: string) => void } = {},
): Promise<ControlPlane> {
  const log = options.log ?? (() => {});
  const binDir = ensureControlPlaneBinaries(log);
  const runDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'embedded-k8s.'));
  const pids: number[] = [];
  const launch = (name: string, args: string[]) => {
    const out = openSync(join(runDir, `${name}.log`), 'a');
    // Its own process group, so stopping it stops anything it forked; under a watchdog that
    // stops it when this process is gone, even killed outright, so no etcd is left behind.
    const child = spawn(
      'sh',
      ['-c', watchdog, 'watchdog', String(process.pid), join(binDir, name), ...args],
      {
        detached: true,
        stdio: ['ignore', out, out],
      },
    );
    closeSync(out);
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${name}`);
    pids.push(child.pid);
  };
  const stop = async () => {
    await stopProcesses(pids);
    rmSync(runDir, { recursive: true, force: true });
  };
  try {
    const [etcdPort, peerPort, apiPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const pki = generatePki(join(runDir, 'pki'));
    log('starting etcd');
    launch('etcd', [
      '--name=embedded',
      `--data-dir=${join(runDir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=embedded=http://127.0.0.1:${peerPort}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ]);
    await waitHealthy('etcd', () => healthy(`http://127.0.0.1:${etcdPort}/health`), runDir);
    log('starting kube-apiserver');
    launch('kube-apiserver', [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${pki.serverCert}`,
      `--tls-private-key-file=${pki.serverKey}`,
      `--client-ca-file=${pki.caCert}`,
      `--cert-dir=${join(runDir, 'apiserver')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.saPub}`,
      `--service-account-signing-key-file=${pki.saKey}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--authorization-mode=RBAC',
      '--endpoint-reconciler-type=none',
      '--disable-admission-plugins=ServiceAccount',
      '--profiling=false',
    ]);
    const server = `https://127.0.0.1:${apiPort}`;
    const tls = {
      ca: readFileSync(pki.caCert),
      cert: readFileSync(pki.adminCert),
      key: readFileSync(pki.adminKey),
    };
    await waitHealthy('kube-apiserver', () => healthy(`${server}/readyz`, tls), runDir);
    const kubeconfig = join(runDir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml(server, pki), { mode: 0o600 });
    return { kubeconfig, server, runDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
