// Starts a real Kubernetes control plane on loopback: etcd, kube-apiserver (TLS, RBAC,
// client-certificate admin), and for the "full" profile kube-controller-manager,
// kube-scheduler and KWOK with one fake Node, so Deployments get Pods that turn Ready
// without a kubelet. Binaries come from build.sh (Go module proxy, cached per machine).
// The "real" profile is started by real-cluster.ts inside a run's own network namespace, next
// to a real kubelet: no KWOK, the apiserver listens on every address of that namespace and
// advertises the node IP (so the `kubernetes` Service has endpoints pods can reach), and
// ServiceAccount admission is on (pods get their tokens).
// etcd's and the apiserver's flags and the process helpers are the framework testing kit's
// (its embedded control plane): one source of truth, re-exported here for the test harness.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  apiserverArgs,
  etcdArgs,
  freePort,
  isAlive,
  kubeconfigYaml as kubeconfigFor,
  launchComponent,
  probe,
  stopProcessGroups,
  waitFor,
} from '../../packages/framework/src/testing/control-plane-parts.ts';
import { generatePki } from './pki.ts';

export { freePort, isAlive, probe, waitFor };

/** A kubeconfig for one client-certificate user of the cluster at `server`. */
export const kubeconfigYaml = (server: string, creds: { caCert: string; cert: string; key: string }) =>
  kubeconfigFor(server, creds, 'testcluster');

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');

export type Profile = 'minimal' | 'full' | 'real';

export interface ClusterState {
  runDir: string;
  binDir: string;
  kubeconfig: string;
  server: string;
  profile: Profile;
  /** Process ids in start order; stopped in reverse. */
  processes: { name: string; pid: number }[];
  startedInMs: number;
}

export interface StartOptions {
  profile?: Profile;
  /** Folders of CRD YAML applied before the controller-manager starts (its GC reads discovery only every 30 s). */
  crdDirs?: string[];
  /** A KWOK configuration file (stages, exec) passed with --config. */
  kwokConfig?: string;
  /** The run folder (default: a fresh one on /dev/shm). */
  runDir?: string;
  /** Profile "real": the node IP the apiserver advertises (and its serving certificate names). */
  nodeIp?: string;
  /**
   * The process the control plane belongs to (a jest run): its components stop when it is gone,
   * even killed outright. Without it they run until stopControlPlane (`npm run cluster:up`).
   */
  ownerPid?: number;
  log?: (message: string) => void;
}

const NODE_NAME = 'kwok-node-0';

/** Builds (first time only, under a lock) or finds the cached binaries; returns their folder. */
export function ensureBinaries(log: (m: string) => void = () => {}): string {
  log('checking the control-plane binaries (the first build takes 15-25 minutes)');
  const out = execFileSync('bash', [join(here, 'build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const binDir = out.trim().split('\n').pop() ?? '';
  for (const name of [
    'etcd',
    'kube-apiserver',
    'kube-controller-manager',
    'kube-scheduler',
    'kubectl',
    'kwok',
  ]) {
    if (!existsSync(join(binDir, name))) {
      throw new Error(
        `test/cluster: ${name} is missing from ${binDir}; run 'npm run cluster:build' and read its output`,
      );
    }
  }
  return binDir;
}

/**
 * Starts a component in the background in its own process group, with its output in
 * <logDir>/<name>.log; returns its pid. With `ownerPid` it stops when that process is gone.
 */
export function launchDaemon(
  logDir: string,
  name: string,
  command: string,
  args: string[],
  ownerPid?: number,
): number {
  try {
    return launchComponent(logDir, name, command, args, ownerPid);
  } catch (error) {
    throw new Error(`test/cluster: ${(error as Error).message}`, { cause: error });
  }
}

/** The tail of every component log, for a failure message that says what went wrong. */
export function logTails(runDir: string, lines = 30): string {
  if (!existsSync(runDir)) return '';
  return readdirSync(runDir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => {
      const text = readFileSync(join(runDir, f), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      return `--- ${f} (last ${lines} lines) ---\n${text}`;
    })
    .join('\n');
}

export async function startControlPlane(options: StartOptions = {}): Promise<ClusterState> {
  const log = options.log ?? (() => {});
  const profile = options.profile ?? 'full';
  const started = Date.now();
  const binDir = ensureBinaries(log);
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const runDir = options.runDir ?? mkdtempSync(join(base, 'testcluster.'));
  mkdirSync(runDir, { recursive: true });
  const real = profile === 'real';
  if (real && !options.nodeIp) throw new Error('test/cluster: profile "real" needs the node IP');
  const processes: ClusterState['processes'] = [];
  const bin = (name: string) => join(binDir, name);

  const launch = (name: string, command: string, args: string[]) => {
    const pid = launchDaemon(runDir, name, command, args, options.ownerPid);
    processes.push({ name, pid });
    return pid;
  };
  const state: ClusterState = {
    runDir,
    binDir,
    kubeconfig: '',
    server: '',
    profile,
    processes,
    startedInMs: 0,
  };

  try {
    const [etcdPort, peerPort, apiPort, kcmPort, schedPort, kwokPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const pki = generatePki(join(runDir, 'pki'), real ? [options.nodeIp as string] : []);
    log('starting etcd');
    launch(
      'etcd',
      bin('etcd'),
      etcdArgs({ name: 'tc', dataDir: join(runDir, 'etcd'), clientPort: etcdPort, peerPort }),
    );
    await waitFor('etcd', () => probe(`http://127.0.0.1:${etcdPort}/health`), 20_000);

    log('starting kube-apiserver');
    launch(
      'kube-apiserver',
      bin('kube-apiserver'),
      apiserverArgs({
        etcdPort,
        securePort: apiPort,
        pki,
        certDir: join(runDir, 'apiserver'),
        nodeIp: real ? options.nodeIp : undefined,
      }),
    );
    const server = `https://127.0.0.1:${apiPort}`;
    const adminTls: RequestOptions = {
      ca: readFileSync(pki.caCert),
      cert: readFileSync(pki.adminCert),
      key: readFileSync(pki.adminKey),
    };
    await waitFor('kube-apiserver', () => probe(`${server}/readyz`, adminTls), 60_000);
    const kubeconfig = join(runDir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      kubeconfigYaml(server, { caCert: pki.caCert, cert: pki.adminCert, key: pki.adminKey }),
      { mode: 0o600 },
    );
    Object.assign(state, { kubeconfig, server });
    const kubectl = (args: string[], input?: string) =>
      execFileSync(bin('kubectl'), [`--kubeconfig=${kubeconfig}`, ...args], {
        input,
        encoding: 'utf8',
        stdio: ['pipe', 'pipe', 'pipe'],
      });

    const crdFiles = (options.crdDirs ?? []).filter(
      (d) => existsSync(d) && readdirSync(d).some((f) => /\.ya?ml$/.test(f)),
    );
    for (const dir of crdFiles) {
      log(`installing CRDs from ${dir}`);
      kubectl(['apply', '--server-side', '-f', dir]);
    }
    if (crdFiles.length) kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);

    if (profile !== 'minimal') {
      log(`starting kube-controller-manager, kube-scheduler${real ? '' : ' and kwok'}`);
      launch('kube-controller-manager', bin('kube-controller-manager'), [
        `--kubeconfig=${kubeconfig}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${kcmPort}`,
        '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
        '--leader-elect=false',
        '--use-service-account-credentials=false',
        '--controllers=*',
        `--root-ca-file=${pki.caCert}`,
        `--service-account-private-key-file=${pki.saKey}`,
        `--cluster-signing-cert-file=${pki.caCert}`,
        `--cluster-signing-key-file=${pki.caKey}`,
        // Tests create and delete many namespaces; sync them quickly.
        '--concurrent-namespace-syncs=10',
      ]);
      launch('kube-scheduler', bin('kube-scheduler'), [
        `--kubeconfig=${kubeconfig}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        `--secure-port=${schedPort}`,
        '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
      ]);
    }
    if (profile === 'full') {
      launch('kwok', bin('kwok'), [
        `--kubeconfig=${kubeconfig}`,
        '--manage-all-nodes=false',
        '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        '--manage-nodes-with-label-selector=',
        '--manage-single-node=',
        '--cidr=10.244.0.0/16',
        '--node-ip=10.0.0.1',
        '--node-lease-duration-seconds=40',
        `--server-address=127.0.0.1:${kwokPort}`,
        ...(options.kwokConfig ? [`--config=${options.kwokConfig}`] : []),
      ]);
    }
    if (profile !== 'minimal') {
      const anyTls: RequestOptions = { rejectUnauthorized: false };
      await Promise.all([
        waitFor(
          'kube-controller-manager',
          () => probe(`https://127.0.0.1:${kcmPort}/healthz`, anyTls),
          60_000,
        ),
        waitFor('kube-scheduler', () => probe(`https://127.0.0.1:${schedPort}/healthz`, anyTls), 60_000),
        ...(profile === 'full'
          ? [waitFor('kwok', () => probe(`http://127.0.0.1:${kwokPort}/healthz`), 60_000)]
          : []),
      ]);
    }
    if (profile === 'full') {
      kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Node',
          metadata: {
            name: NODE_NAME,
            annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
            labels: {
              'kubernetes.io/hostname': NODE_NAME,
              'kubernetes.io/os': 'linux',
              'kubernetes.io/arch': 'amd64',
              type: 'kwok',
            },
          },
        }),
      );
      kubectl(['wait', '--for=condition=Ready', `node/${NODE_NAME}`, '--timeout=60s']);
      kubectl(['-n', 'default', 'wait', '--for=create', 'serviceaccount/default', '--timeout=60s']);
    }
    if (real) kubectl(['-n', 'default', 'wait', '--for=create', 'serviceaccount/default', '--timeout=60s']);
    state.startedInMs = Date.now() - started;
    writeFileSync(join(runDir, 'state.json'), JSON.stringify(state, null, 2));
    return state;
  } catch (error) {
    const tails = logTails(runDir);
    await stopControlPlane(state);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n${tails}`, { cause: error });
  }
}

/** Stops every component (reverse start order), waits for them to exit, removes the run folder. */
export async function stopControlPlane(state: Pick<ClusterState, 'processes' | 'runDir'>): Promise<void> {
  await stopProcessGroups(state.processes.map(({ pid }) => pid));
  rmSync(state.runDir, { recursive: true, force: true });
}
