// A second fake Node whose kubelet API serves `exec` for real, for tests that run commands in
// pods (kubectl exec, client-node's Exec). It is a KWOK process of its own next to the control
// plane's (test/cluster/control-plane.ts), so the test chooses what runs without touching the
// shared one:
//   - KWOK's ClusterExec configuration (kwok.x-k8s.io/v1alpha1, --config) maps containers to a
//     local command: the command of the exec request runs on this machine, looked up in this
//     KWOK's PATH (`pathPrefix` comes first), with the configured extra environment;
//   - the node's address is 127.0.0.1 and its kubelet port is KWOK's server port (--node-ip,
//     --node-port), which serves HTTPS with a certificate signed by the control plane's CA
//     (--tls-cert-file/--tls-private-key-file): the apiserver dials https://127.0.0.1:<port>/exec/...
//   - the node is tainted (`taint`), so only pods that tolerate it (and select it) land there,
//     and it is deleted by stop().
// Everything listens on and connects to 127.0.0.1 only.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { freePort, isAlive } from './control-plane.ts';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';

export interface ExecTargetLocal {
  workDir?: string;
  envs?: { name: string; value: string }[];
}

export interface ExecNodeOptions {
  /** The control plane's kubeconfig (default $KUBECONFIG). */
  kubeconfig?: string;
  /** The control plane's binaries (default $TESTCLUSTER_BIN). */
  binDir?: string;
  /** The control plane's CA cert and key (default: pki/ca.crt and pki/ca.key beside $TESTCLUSTER_STATE). */
  caCert?: string;
  caKey?: string;
  /** Where this node keeps its config, certificate and log (created; removed by stop()). */
  workDir: string;
  /** Pods of these namespaces get exec (a ClusterExec selector). */
  namespaces: string[];
  /** Container name -> how to run commands for it (KWOK's ExecTargetLocal). */
  containers: Record<string, ExecTargetLocal>;
  /** Folders put first on KWOK's PATH: exec'd commands are looked up there. */
  pathPrefix?: string[];
}

export interface ExecNode {
  name: string;
  port: number;
  /** What a pod needs to land on this node. */
  podSpec: {
    nodeSelector: Record<string, string>;
    tolerations: { key: string; operator: string; effect: string }[];
  };
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

const TAINT_KEY = 'test.fedora-operators/kwok-exec';

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = httpGet(`http://127.0.0.1:${port}/healthz`, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => request.destroy());
  });
}

/** The KWOK configuration (one ClusterExec) for these namespaces and containers. */
export function kwokExecConfig(namespaces: string[], containers: Record<string, ExecTargetLocal>): string {
  return stringify({
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'ClusterExec',
    metadata: { name: 'test-exec' },
    spec: {
      selector: { matchNamespaces: namespaces },
      execs: Object.entries(containers).map(([name, local]) => ({ containers: [name], local })),
    },
  });
}

export async function startExecNode(options: ExecNodeOptions): Promise<ExecNode> {
  const kubeconfig = options.kubeconfig ?? process.env.KUBECONFIG;
  const binDir = options.binDir ?? process.env.TESTCLUSTER_BIN;
  const pkiDir = process.env.TESTCLUSTER_STATE ? join(dirname(process.env.TESTCLUSTER_STATE), 'pki') : '';
  const caCert = options.caCert ?? join(pkiDir, 'ca.crt');
  const caKey = options.caKey ?? join(pkiDir, 'ca.key');
  if (!kubeconfig || !binDir) {
    throw new Error(
      'test/cluster: KUBECONFIG and TESTCLUSTER_BIN are not set (run under the jest globalSetup)',
    );
  }
  for (const file of [caCert, caKey, join(binDir, 'kwok'), join(binDir, 'kubectl')]) {
    if (!existsSync(file)) throw new Error(`test/cluster: ${file} is missing`);
  }
  const dir = options.workDir;
  mkdirSync(dir, { recursive: true });
  const kubectl = (args: string[], input?: string) =>
    execFileSync(join(binDir, 'kubectl'), [`--kubeconfig=${kubeconfig}`, ...args], {
      input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });

  // The kubelet serving certificate, for 127.0.0.1, signed by the control plane's CA.
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const cert = join(dir, 'kubelet.crt');
  const key = join(dir, 'kubelet.key');
  writeFileSync(
    join(dir, 'kubelet.ext'),
    'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n',
  );
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=kwok-exec-node'].concat([
      '-keyout',
      key,
      '-out',
      join(dir, 'kubelet.csr'),
    ]),
  );
  openssl(
    ['x509', '-req', '-in', join(dir, 'kubelet.csr'), '-CA', caCert, '-CAkey', caKey]
      .concat(['-CAserial', join(dir, 'ca.srl'), '-CAcreateserial', '-days', '2'])
      .concat(['-out', cert, '-extfile', join(dir, 'kubelet.ext')]),
  );

  const config = join(dir, 'kwok.yaml');
  writeFileSync(config, kwokExecConfig(options.namespaces, options.containers));

  // A fresh name per run: a node lease left by an earlier KWOK would hold the node for 40 s.
  const name = `kwok-exec-${randomBytes(3).toString('hex')}`;
  const port = await freePort();
  const logFile = join(dir, 'kwok.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    join(binDir, 'kwok'),
    [
      `--kubeconfig=${kubeconfig}`,
      '--manage-all-nodes=false',
      `--manage-single-node=${name}`,
      '--manage-nodes-with-annotation-selector=',
      '--manage-nodes-with-label-selector=',
      '--cidr=10.245.0.0/16',
      '--node-ip=127.0.0.1',
      `--node-port=${port}`,
      `--server-address=127.0.0.1:${port}`,
      `--tls-cert-file=${cert}`,
      `--tls-private-key-file=${key}`,
      '--node-lease-duration-seconds=40',
      `--config=${config}`,
    ],
    {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, PATH: [...(options.pathPrefix ?? []), process.env.PATH ?? ''].join(':') },
    },
  );
  closeSync(out);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('test/cluster: could not start kwok for the exec node');
  const logTail = (lines = 30) =>
    existsSync(logFile) ? readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';

  let nodeCreated = false;
  const stop = async () => {
    if (nodeCreated) {
      try {
        kubectl(['delete', 'node', name, '--wait=false', '--ignore-not-found']);
      } catch {
        // the control plane may already be gone
      }
    }
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const deadline = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) process.kill(-pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + 30_000;
    while (!(await healthy(port))) {
      if (!isAlive(pid) || Date.now() > deadline) throw new Error('kwok for the exec node did not start');
      await new Promise((r) => setTimeout(r, 150));
    }
    kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
          labels: {
            'kubernetes.io/hostname': name,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            type: 'kwok',
          },
        },
        spec: { taints: [{ key: TAINT_KEY, value: 'true', effect: 'NoSchedule' }] },
      }),
    );
    nodeCreated = true;
    kubectl(['wait', '--for=condition=Ready', `node/${name}`, '--timeout=60s']);
  } catch (error) {
    const tail = logTail();
    await stop();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`test/cluster: exec node: ${message}\n--- kwok.log ---\n${tail}`, { cause: error });
  }
  return {
    name,
    port,
    podSpec: {
      nodeSelector: { 'kubernetes.io/hostname': name },
      tolerations: [{ key: TAINT_KEY, operator: 'Exists', effect: 'NoSchedule' }],
    },
    logTail,
    stop,
  };
}
