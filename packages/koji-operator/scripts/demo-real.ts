// `npm run demo` on a real node (root on Linux): a local control plane with a real kubelet,
// containerd and CoreDNS in a network namespace of its own (test/cluster/real-cluster.ts), the
// koji images built locally from Debian, PyPI and npm packages (test/koji-images), PostgreSQL
// deployed as a user would, the operator running in-cluster from deploy/, and the proposal's
// CRs applied. It prints what runs for real and what stands in for what no registry ships,
// then the CRs' and pods' state every few seconds. Ctrl-C stops and removes everything.
//
// How it fails: a node that cannot start, or an image that cannot be built, stops the demo with
// the components' log tails; the run is swept either way (its reaper).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildNodeBinaries,
  cacheDir,
  startRealCluster,
  type RealCluster,
} from '../../../test/cluster/real-cluster.ts';
import { kojiImages, STANDINS } from '../../../test/koji-images/koji-images.ts';
import {
  applyExampleInputs,
  bindExampleHubVolumes,
  deployOperator,
  deployPostgres,
  repoRoot,
} from '../../../test/koji-images/koji-stack.ts';

const namespace = 'koji';

/** What the demo runs, one line each: real components first, then stand-ins. */
export function realNodeInventory(): string[] {
  return [
    'for real: etcd, kube-apiserver, kube-controller-manager, kube-scheduler (Go module proxy builds)',
    'for real: kubelet, kube-proxy (same Kubernetes module), containerd + runc + CNI plugins (Debian), CoreDNS',
    ...Object.entries(STANDINS).map(
      ([image, what]) =>
        `${what.includes('STAND-IN') || what.includes('stand-in') ? 'stand-in' : 'for real'}: ${image}: ${what}`,
    ),
  ];
}

/** The CRs of a namespace with their Ready and KojiSynced conditions. */
export function crTable(kubectl: (args: string[]) => string, namespace: string): string {
  return kubectl([
    '-n',
    namespace,
    'get',
    'kojihubs,kojiwebs,kojiras,kojibuilders,kojiusers',
    '-o',
    'custom-columns=KIND:.kind,NAME:.metadata.name,READY:.status.conditions[?(@.type=="Ready")].status,REASON:.status.conditions[?(@.type=="Ready")].reason,KOJI:.status.conditions[?(@.type=="KojiSynced")].reason',
  ]);
}

/** Prints what `table` returns, stamped, every `ms` (a failure is logged, not fatal). */
export function showEvery(
  ms: number,
  log: (m: string) => void,
  table: () => string,
): ReturnType<typeof setInterval> {
  return setInterval(() => {
    try {
      process.stdout.write(`\n${new Date().toISOString()}\n${table()}`);
    } catch (error) {
      log(String(error));
    }
  }, ms);
}

export async function runRealDemo(log: (m: string) => void): Promise<void> {
  const binDir = buildNodeBinaries();
  const started = Date.now();
  const archive = await kojiImages(cacheDir(binDir), log);
  log(`koji images ready in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  let cluster: RealCluster | undefined;
  const pki = mkdtempSync(join(tmpdir(), 'koji-demo-pki-'));
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = async (code: number) => {
    if (timer) clearInterval(timer);
    log('stopping: the reaper removes every process, mount, namespace and cgroup of the run');
    rmSync(pki, { recursive: true, force: true });
    await cluster?.stop();
    log('stopped');
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  try {
    cluster = await startRealCluster({ log, images: [archive] });
    const kubeconfig = cluster.kubeconfig;
    const kubectl = (args: string[], input?: string) =>
      execFileSync(join(cluster?.binDir ?? '', 'kubectl'), [`--kubeconfig=${kubeconfig}`, ...args], {
        input,
        encoding: 'utf8',
        stdio: ['pipe', 'pipe', 'inherit'],
      });
    log(`real node up in ${((cluster.timings.total ?? 0) / 1000).toFixed(1)}s; KUBECONFIG=${kubeconfig}`);
    for (const line of realNodeInventory()) log(line);
    deployOperator(kubectl, namespace);
    deployPostgres(kubectl, namespace);
    applyExampleInputs(kubectl, namespace, pki);
    bindExampleHubVolumes(kubectl, namespace, cluster.names.runDir);
    const examples = readdirSync(join(repoRoot, 'examples')).filter(
      (f) => f.endsWith('.yaml') && f !== 'postgres-secret.yaml',
    );
    log(`applying examples/${examples.join(', examples/')}`);
    for (const file of examples) kubectl(['-n', namespace, 'apply', '-f', join(repoRoot, 'examples', file)]);
    timer = showEvery(
      5000,
      log,
      () => `${crTable(kubectl, namespace)}\n${kubectl(['get', 'pods', '-n', namespace, '-o', 'wide'])}`,
    );
    log(`Ctrl-C stops everything; meanwhile: kubectl --kubeconfig=${kubeconfig} -n ${namespace} get pods`);
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
    await stop(1);
  }
}
