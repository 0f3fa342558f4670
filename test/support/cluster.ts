// Access to the control plane that test/cluster's jest globalSetup started, and a fresh
// namespace per test file.
import { randomBytes } from 'node:crypto';
import { KubeClient } from '../../packages/framework/src/kube/client.ts';
import { loadKubeConfig } from '../../packages/framework/src/kube/kubeconfig.ts';
import { CoreResources } from '../../packages/framework/src/kube/resource.ts';
import { eventually } from './eventually.ts';

export function testClient(): KubeClient {
  const file = process.env.KUBECONFIG;
  if (!file)
    throw new Error(
      'KUBECONFIG is not set: integration tests run under the jest globalSetup in test/cluster',
    );
  return new KubeClient(loadKubeConfig(file));
}

export interface TestNamespace {
  name: string;
  client: KubeClient;
  /** Deletes the namespace (the controller-manager removes what is in it) and closes the client. */
  dispose(): Promise<void>;
}

const serviceAccounts = {
  ...CoreResources.namespace,
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  namespaced: true,
};

/** A fresh namespace; with `pods`, once its default ServiceAccount (which pods need) exists. */
export async function createTestNamespace(
  prefix: string,
  { pods = false }: { pods?: boolean } = {},
): Promise<TestNamespace> {
  const client = testClient();
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await client.create(CoreResources.namespace, {
    metadata: { name, labels: { 'test.fedora-operators/suite': prefix } },
  });
  // The controller-manager makes it a moment after the namespace.
  if (pods) {
    await eventually(() => client.find(serviceAccounts, name, 'default'), {
      what: `ServiceAccount ${name}/default`,
    });
  }
  return {
    name,
    client,
    dispose: async () => {
      await client.delete(CoreResources.namespace, undefined, name);
      client.close();
    },
  };
}
