// `fedora-operator cluster [--crds <dir>]`: an embedded etcd + kube-apiserver for trying an
// operator out, in the foreground until Ctrl-C. Prints `export KUBECONFIG=...` on stdout and
// the path of a kubectl built with it (once per machine) on stderr.
// `fedora-operator cluster --prepare`: only builds etcd and kube-apiserver (a scaffolded
// project's `pretest`), so the first build (about 10 minutes) runs with its progress shown and
// outside any test's timeout; with KUBECONFIG set the tests use that cluster: nothing is built.
//
// Fails: the binaries cannot be built or a component does not start (its log's end is shown,
// exit 1); a CRD file that does not parse or is refused (exit 1, the cluster is stopped).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { KubeClient } from '../kube/client.js';
import { loadKubeConfig } from '../kube/kubeconfig.js';
import type { KubeObject } from '../kube/object.js';
import { CoreResources } from '../kube/resource.js';
import { ensureControlPlaneBinaries, startControlPlane } from '../testing/control-plane.js';
import { UsageError } from './usage-error.js';

export const clusterUsage = `usage: fedora-operator cluster [--crds <dir>] [--prepare]
  runs an embedded etcd + kube-apiserver on loopback until Ctrl-C (built once per machine with a
  kubectl for it; needs Go)
  --crds <dir>                  apply the CRD YAML files in <dir> once it is up
  --prepare                     only build etcd and kube-apiserver if they are missing, then exit
                                (nothing is built when KUBECONFIG is set: tests use that cluster)`;

export async function clusterCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      crds: { type: 'string' },
      prepare: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) throw new UsageError(clusterUsage, 0);
  const log = (m: string) => process.stderr.write(`[cluster] ${m}\n`);
  if (values.prepare) {
    if (process.env.KUBECONFIG) log('KUBECONFIG is set: the tests use that cluster, nothing to build');
    else log(`control-plane binaries in ${ensureControlPlaneBinaries(log)}`);
    return 0;
  }
  const binDir = ensureControlPlaneBinaries(log, { kubectl: true });
  const kubectl = join(binDir, 'kubectl');
  const plane = await startControlPlane({ log });
  try {
    if (values.crds) {
      const client = new KubeClient(loadKubeConfig(plane.kubeconfig));
      for (const file of readdirSync(values.crds).filter((f) => /\.ya?ml$/.test(f))) {
        for (const doc of parseAllDocuments(readFileSync(join(values.crds, file), 'utf8'))) {
          const crd = doc.toJS() as KubeObject | null;
          if (crd)
            await client.apply(CoreResources.customResourceDefinition, crd, {
              fieldManager: 'fedora-operator-cluster',
            });
        }
        log(`applied ${file}`);
      }
      client.close();
    }
  } catch (error) {
    await plane.stop();
    throw error;
  }
  log(`ready at ${plane.server}; Ctrl-C stops it`);
  log(
    existsSync(kubectl)
      ? `a kubectl for it: ${kubectl}`
      : `no kubectl in ${binDir} (TESTCLUSTER_BIN): use yours (>= 1.30)`,
  );
  console.log(`export KUBECONFIG=${plane.kubeconfig}`);
  // Signal handlers do not keep Node running, and the components are detached: without this
  // timer the process would exit here, and its watchdogs would stop the cluster it just printed.
  const keepAlive = setInterval(() => {}, 1 << 30);
  await new Promise<void>((resolve) => {
    // SIGHUP too: a closed terminal must not leave etcd and kube-apiserver running.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve());
  });
  clearInterval(keepAlive);
  await plane.stop();
  return 0;
}
