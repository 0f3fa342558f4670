// An embedded Kubernetes control plane for tests, like controller-runtime's envtest: a real
// etcd and kube-apiserver on loopback ports, TLS with a throwaway PKI, RBAC on, an admin
// kubeconfig. No controller-manager or nodes: objects are stored and validated exactly as in a
// cluster, but nothing garbage-collects children or finishes deleting namespaces.
//
// Binaries: TESTCLUSTER_BIN (a folder with etcd and kube-apiserver), else the build script
// shipped in this package builds just those two once per machine from the Go module proxy into
// ~/.cache/testcluster, shared with the monorepo's test/cluster build (needs Go; about 10
// minutes the first time on 2 quiet cores, progress on stderr; later runs reuse them in seconds).
// No registry this package can rely on ships them prebuilt (README: Getting started).
//
// Each component runs under a watchdog shell that stops it once this process is gone, even
// killed with SIGKILL, so a crashed test run leaves no etcd or kube-apiserver behind.
//
// The components' flags and the process helpers are in control-plane-parts.ts, which the
// monorepo's test/cluster builds its larger control planes from: one source of truth.
//
// Fails with an Error naming what is missing (Go, openssl, a binary) or which component did
// not become healthy, with the tail of its log.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  apiserverArgs,
  etcdArgs,
  freePort,
  kubeconfigYaml,
  launchComponent,
  probe,
  stopProcessGroups,
  waitFor,
} from './control-plane-parts.js';
import { generatePki } from './pki.js';

export interface ControlPlane {
  kubeconfig: string;
  server: string;
  /** Folder of the component logs and data; removed by stop(). */
  runDir: string;
  stop(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

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

/**
 * The folder with etcd and kube-apiserver (and kubectl with `{ kubectl: true }`), built on first
 * use (progress goes to stderr). TESTCLUSTER_BIN, when set, is used as it is; kubectl is not
 * required there (any kubectl >= 1.30 works with the cluster).
 */
export function ensureControlPlaneBinaries(
  log: (message: string) => void = () => {},
  options: { kubectl?: boolean } = {},
): string {
  let binDir = process.env.TESTCLUSTER_BIN;
  if (!binDir) {
    log(
      'checking the control-plane binaries (the first build takes about 10 minutes on 2 quiet cores, far longer on a busy machine; needs Go)',
    );
    // --kit: only what this kit starts (and kubectl when asked), not test/cluster's whole set.
    const args = [buildScript(), '--kit', ...(options.kubectl ? ['--kubectl'] : [])];
    const out = execFileSync('bash', args, {
      env: process.env,
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

/** Like waitFor, with the end of the component's log (<runDir>/<what>.log) in the error. */
async function waitHealthy(what: string, check: () => Promise<boolean>, runDir: string): Promise<void> {
  try {
    await waitFor(what, check, 60_000);
  } catch (error) {
    const log = join(runDir, `${what}.log`);
    const tail = existsSync(log) ? readFileSync(log, 'utf8').trimEnd().split('\n').slice(-20).join('\n') : '';
    throw new Error(`${(error as Error).message}; the end of its log:\n${tail}`, { cause: error });
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
  // Stopped by a watchdog when this process is gone, even killed outright.
  const launch = (name: string, args: string[]) =>
    pids.push(launchComponent(runDir, name, join(binDir, name), args, process.pid));
  const stop = async () => {
    await stopProcessGroups(pids);
    rmSync(runDir, { recursive: true, force: true });
  };
  try {
    const [etcdPort, peerPort, apiPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const pki = generatePki(join(runDir, 'pki'));
    log('starting etcd');
    launch(
      'etcd',
      etcdArgs({ name: 'embedded', dataDir: join(runDir, 'etcd'), clientPort: etcdPort, peerPort }),
    );
    await waitHealthy('etcd', () => probe(`http://127.0.0.1:${etcdPort}/health`), runDir);
    log('starting kube-apiserver');
    launch(
      'kube-apiserver',
      apiserverArgs({ etcdPort, securePort: apiPort, pki, certDir: join(runDir, 'apiserver') }),
    );
    const server = `https://127.0.0.1:${apiPort}`;
    const tls = {
      ca: readFileSync(pki.caCert),
      cert: readFileSync(pki.adminCert),
      key: readFileSync(pki.adminKey),
    };
    await waitHealthy('kube-apiserver', () => probe(`${server}/readyz`, tls), runDir);
    const kubeconfig = join(runDir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      kubeconfigYaml(server, { caCert: pki.caCert, cert: pki.adminCert, key: pki.adminKey }),
      { mode: 0o600 },
    );
    return { kubeconfig, server, runDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
