// `npm run demo`: the whole thing on one machine. Starts the local control plane (real
// etcd, kube-apiserver, controller-manager, scheduler, KWOK for pods), installs the CRDs,
// generates the example certificates outside git, starts the Koji operator, applies the
// proposal's CRs and shows them turning Ready. Ctrl-C stops everything.
//
//   npm run demo                 # local control plane
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

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const namespace = 'koji';
const log = (m: string) => process.stderr.write(`[demo] ${m}\n`);
const useCurrent = process.argv.includes('--current');

function kubectlBinary(state: ClusterState | undefined): string {
  return state ? join(state.binDir, 'kubectl') : 'kubectl';
}

async function main(): Promise<void> {
  for (const built of ['packages/framework/dist/runtime/cli.js', 'packages/koji-operator/dist/main.js']) {
    if (!existsSync(join(root, built)))
      throw new Error(`${built} is missing: 'npm run demo' builds it first (tsc -b)`);
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

  log('starting the Koji operator');
  const operator = spawn(
    process.execPath,
    [
      join(root, 'packages/framework/dist/runtime/cli.js'),
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
    { env, stdio: ['ignore', 'inherit', 'inherit'] },
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

  const show = () => {
    const table = kubectl([
      '-n',
      namespace,
      'get',
      'kojihubs,kojiwebs,kojiras,kojibuilders,kojiusers',
      '-o',
      'custom-columns=KIND:.kind,NAME:.metadata.name,READY:.status.conditions[?(@.type=="Ready")].status,REASON:.status.conditions[?(@.type=="Ready")].reason',
    ]);
    process.stdout.write(`\n${new Date().toISOString()}\n${table}`);
  };
  const timer = setInterval(() => {
    try {
      show();
    } catch (error) {
      log(String(error));
    }
  }, 3000);
  log('Ctrl-C stops the operator and the control plane');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
