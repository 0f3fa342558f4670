// The cluster a test suite runs against: KUBECONFIG's when it is set (a kind cluster, CI's),
// else an embedded control plane started for the suite (control-plane.ts). Either way the
// suite gets a client, installs its CRDs, and makes a fresh namespace per test.
import { randomBytes } from 'node:crypto';
import { KubeClient } from '../kube/client.js';
import { loadKubeConfig } from '../kube/kubeconfig.js';
import type { KubeObject } from '../kube/object.js';
import { CoreResources } from '../kube/resource.js';
import { crdsOf } from '../generate/manifest-files.js';
import { describeController, type ControllerClass } from '../registry.js';
import { startControlPlane } from './control-plane.js';

export interface TestNamespace {
  name: string;
  /** Deletes the namespace (without a controller-manager it stays Terminating; that is harmless). */
  dispose(): Promise<void>;
}

export interface TestCluster {
  kubeconfig: string;
  /** True when this suite started the control plane (and stop() stops it). */
  embedded: boolean;
  client: KubeClient;
  /** Server-side applies the CRDs of these controllers (their `crd` schemas) and waits until served. */
  installCrds(controllers: ControllerClass[]): Promise<void>;
  /** A fresh namespace named `<prefix>-<random>`. */
  createNamespace(prefix?: string): Promise<TestNamespace>;
  stop(): Promise<void>;
}

export interface TestClusterOptions {
  /** Start an embedded control plane even when KUBECONFIG is set. */
  embedded?: boolean;
  /** Progress messages (binary build, start); default stderr. */
  log?: (message: string) => void;
}

export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const log = options.log ?? ((m: string) => process.stderr.write(`[test-cluster] ${m}\n`));
  const existing = options.embedded ? undefined : process.env.KUBECONFIG;
  const plane = existing ? undefined : await startControlPlane({ log });
  const kubeconfig = existing ?? plane?.kubeconfig ?? '';
  const client = new KubeClient(loadKubeConfig(kubeconfig));
  return {
    kubeconfig,
    embedded: plane !== undefined,
    client,
    installCrds: (controllers) => installCrds(client, controllers),
    createNamespace: (prefix = 'test') => createNamespace(client, prefix),
    stop: async () => {
      client.close();
      await plane?.stop();
    },
  };
}

async function installCrds(client: KubeClient, controllers: ControllerClass[]): Promise<void> {
  const crds = crdsOf(controllers.map((c) => describeController(c)));
  for (const crd of crds) {
    await client.apply(CoreResources.customResourceDefinition, crd as unknown as KubeObject, {
      fieldManager: 'test-cluster',
      force: true,
    });
  }
  const deadline = Date.now() + 30_000;
  for (const crd of crds) {
    for (;;) {
      const found = await client.find<
        KubeObject<unknown, { conditions?: { type: string; status: string }[] }>
      >(CoreResources.customResourceDefinition, undefined, crd.metadata.name);
      if (found?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} was not established within 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function createNamespace(client: KubeClient, prefix: string): Promise<TestNamespace> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await client.create(CoreResources.namespace, { metadata: { name } });
  return { name, dispose: () => client.delete(CoreResources.namespace, undefined, name) };
}
