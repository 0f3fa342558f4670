// `npm run demo`: the whole thing on one machine. As root on Linux (with cgroup v1 or hybrid
// cgroups) it runs on a real node
// (demo-real.ts: real kubelet, containerd, CoreDNS; locally built images; the operator
// in-cluster) and prints what is real and what stands in. Elsewhere, or with --kwok, it falls
// back, saying so, to the local control plane with KWOK for pods (real etcd, kube-apiserver,
// controller-manager, scheduler), installs the CRDs, generates the example certificates
// outside git, starts the Koji operator, applies the proposal's CRs and shows them turning
// Ready. Ctrl-C stops everything.
//
// With KWOK, no container runs, so no koji-hub answers at the hub's Service. When the koji hub
// emulator of the tests is installed (bash test/koji-hub/setup.sh: PostgreSQL and koji from
// PyPI), the demo starts it and points the operator's koji side at it (KOJI_OPERATOR_HUB_URL),
// so builder hosts and users are really registered; without it that side reports HubUnavailable.
//
//   npm run demo                 # real node where possible, else KWOK
//   npm run demo -- --kwok       # the local control plane with KWOK, even as root
//   npm run demo -- --current    # against the current kubeconfig instead (namespace koji)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import {
  startControlPlane,
  stopControlPlane,
  type ClusterState,
} from '../../../test/cluster/control-plane.ts';
import { realNodeRefusal } from '../../../test/cluster/node-host.ts';
import { startKojiHub, type KojiHubHandle } from '../../../test/koji-hub/hub.ts';
import { crTable, runRealDemo, showEvery } from './demo-real.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const namespace = 'koji';
const log = (m: string) => process.stderr.write(`[demo] ${m}\n`);
const useCurrent = process.argv.includes('--current');

function kubectlBinary(state: ClusterState | undefined): string {
  return state ? join(state.binDir, 'kubectl') : 'kubectl';
}

async function main(): Promise<void> {
  for (const built of ['packages/framework/dist/cli/bin.js', 'packages/koji-operator/dist/main.js']) {
    if (!existsSync(join(root, built)))
      throw new Error(`${built} is missing: 'npm run demo' builds it first (tsc -b)`);
  }
  if (!useCurrent && !process.argv.includes('--kwok')) {
    const refusal = realNodeRefusal({ platform: process.platform, uid: process.getuid?.() });
    if (!refusal) return runRealDemo(log);
    log(
      `no real node: ${refusal.replace(/^test\/cluster: /, '')}; falling back to KWOK, which runs no containers`,
    );
  }
  if (!useCurrent) {
    log(
      'for real: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, the operator (on this machine)',
    );
    log(
      'stand-in: KWOK marks pods Running without running them; the koji hub is the emulator on this machine',
    );
  }
  let state: ClusterState | undefined;
  if (!useCurrent) {
    log('starting the local control plane');
    state = await startControlPlane({ profile: 'full', crdDirs: [join(root, 'crds')], log });
    log(`control plane ready in ${(state.startedInMs / 1000).toFixed(1)}s; KUBECONFIG=${state.kubeconfig}`);
  }
  const env = { ...process.env, ...(state ? { KUBECONFIG: state.kubeconfig } : {}) };
  const kubectl = (args: string[], input?: string) =>
    execFileSync(kubectlBinary(state), args, {
      env,
      input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'inherit'],
    });

  if (useCurrent) kubectl(['apply', '--server-side', '-f', join(root, 'crds')]);
  kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }),
  );
  const pki = mkdtempSync(join(tmpdir(), 'koji-demo-pki-'));
  log(`generating the example CA and certificates in ${pki}`);
  execFileSync('bash', [join(root, 'examples', 'gen-certs.sh'), pki], {
    stdio: 'inherit',
    env: { ...env, NAMESPACE: namespace },
  });
  kubectl(['-n', namespace, 'apply', '-f', join(pki, 'secrets.yaml')]);

  let kojiHub: KojiHubHandle | undefined;
  if (state) {
    try {
      kojiHub = await startKojiHub({ log: (m) => log(`koji hub emulator: ${m}`) });
      log(`the koji hub emulator at ${kojiHub.url} stands in for koji-hub (KWOK runs no containers)`);
      // The operator trusts the hub's CA and logs in as its admin: the emulator's, here.
      // Same types as gen-certs.sh's (a Secret's type cannot change), data in base64.
      const secret = (name: string, type: string, data: Record<string, string>) =>
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name },
          type,
          data: Object.fromEntries(
            Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
        });
      const ca = readFileSync(kojiHub.caCertPath, 'utf8');
      kubectl(['-n', namespace, 'apply', '-f', '-'], secret('koji-hub-ca-cert', 'Opaque', { 'ca.crt': ca }));
      kubectl(
        ['-n', namespace, 'apply', '-f', '-'],
        secret('koji-admin-client-cert', 'kubernetes.io/tls', {
          'tls.crt': readFileSync(kojiHub.adminCertPath, 'utf8'),
          'tls.key': readFileSync(kojiHub.adminKeyPath, 'utf8'),
          'client.pem': readFileSync(kojiHub.adminPemPath, 'utf8'),
          'ca.crt': ca,
        }),
      );
    } catch (error) {
      await kojiHub?.stop();
      kojiHub = undefined;
      log(
        `no koji hub emulator (${error instanceof Error ? error.message : String(error)}): the koji side of ` +
          'KojiBuilder, Kojira, KojiWeb and KojiUser will report HubUnavailable',
      );
    }
  }

  log('starting the Koji operator');
  const operator = spawn(
    process.execPath,
    [
      join(root, 'packages/framework/dist/cli/bin.js'),
      'run',
      join(root, 'packages/koji-operator/dist/main.js'),
      '--namespace',
      namespace,
      '--health-port',
      '0',
      '--log-format',
      'text',
      '--log-level',
      'warn',
    ],
    {
      env: { ...env, ...(kojiHub ? { KOJI_OPERATOR_HUB_URL: kojiHub.url } : {}) },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );

  const examples = readdirSync(join(root, 'examples'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(root, 'examples', f));
  // The local control plane has no storage provisioner: give each claim of the example hubs a
  // volume bound to it up front (hostPath: KWOK runs no containers, nothing writes to it).
  if (state) {
    for (const hub of parseAllDocuments(readFileSync(join(root, 'examples', 'koji-hub.yaml'), 'utf8')).map(
      (d) => d.toJS(),
    )) {
      if (hub?.kind !== 'KojiHub' || !hub.spec?.persistent) continue;
      const claims: [string | undefined, string | undefined, string][] = [
        [hub.spec.httpd_pvc_name, hub.spec.httpd_pvc_size, 'ReadWriteOnce'],
        [hub.spec.mnt_pvc_name, hub.spec.mnt_pvc_size, 'ReadWriteMany'],
      ];
      for (const [claim, size, mode] of claims) {
        if (!claim) continue;
        kubectl(
          ['apply', '-f', '-'],
          JSON.stringify({
            apiVersion: 'v1',
            kind: 'PersistentVolume',
            metadata: { name: `demo-${claim}` },
            spec: {
              capacity: { storage: size ?? '1Gi' },
              accessModes: [mode],
              storageClassName: '',
              hostPath: { path: `/tmp/koji-demo/${claim}` },
              claimRef: { namespace, name: claim },
            },
          }),
        );
      }
    }
  }
  log(`applying ${examples.map((f) => f.slice(root.length + 1)).join(', ')}`);
  for (const file of examples) kubectl(['-n', namespace, 'apply', '-f', file]);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log('stopping');
    clearInterval(timer);
    operator.kill('SIGTERM');
    await new Promise((resolve) =>
      operator.exitCode !== null ? resolve(undefined) : operator.once('exit', resolve),
    );
    if (state) await stopControlPlane(state);
    await kojiHub?.stop();
    log('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  operator.once('exit', (code) => {
    if (!stopping) {
      log(`the operator exited with code ${code}`);
      void stop();
    }
  });

  const timer = showEvery(3000, log, () => crTable(kubectl, namespace));
  log('Ctrl-C stops the operator and the control plane');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
