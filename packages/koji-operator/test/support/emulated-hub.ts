// A namespace wired to the koji hub emulator as the operator expects a real hub: a KojiHub
// `koji-hub` whose client CA Secret (`koji-hub-ca`) also holds the CA key (so missing client
// certificates get issued), the operator's admin certificate in `koji-admin-client-cert`, a
// HubClientFactory that reaches the emulator instead of the Service name, and a separate admin
// client for tests to check koji's side with.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { CoreResources, type KubeObject } from '@fedora-operators/framework';

import type { KojiHubHandle } from '../../../../test/koji-hub/hub.ts';
import type { TestNamespace } from '../../../../test/support/cluster.ts';
import { encodeSecretData } from '../../src/certs/index.js';
import { HubClientFactory, kojiHubResource } from '../../src/hub-connection/index.js';
import { KojiClient } from '../../src/koji/index.js';

export const emulatedHubCaSecret = 'koji-hub-ca';

export interface EmulatedHubConnection {
  factory: HubClientFactory;
  admin: KojiClient;
  close(): Promise<void>;
}

/** A koji client logged in as the emulator's admin, apart from the operator's. */
export function emulatorAdminClient(hub: KojiHubHandle): KojiClient {
  return new KojiClient({
    hubUrl: hub.url,
    ca: readFileSync(hub.caCertPath),
    cert: readFileSync(hub.adminCertPath),
    key: readFileSync(hub.adminKeyPath),
  });
}

export async function connectNamespaceToHub(
  hub: KojiHubHandle,
  ns: TestNamespace,
): Promise<EmulatedHubConnection> {
  const secret = (name: string, data: Record<string, string>) =>
    ns.client.create(CoreResources.secret, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: ns.name },
      data: encodeSecretData(data),
    } as KubeObject);
  await secret(emulatedHubCaSecret, {
    'ca.crt': readFileSync(hub.caCertPath, 'utf8'),
    'ca.key': readFileSync(join(hub.runDir, 'pki', 'ca.key'), 'utf8'),
  });
  await secret('koji-admin-client-cert', {
    'tls.crt': readFileSync(hub.adminCertPath, 'utf8'),
    'tls.key': readFileSync(hub.adminKeyPath, 'utf8'),
  });
  await ns.client.create(kojiHubResource, {
    apiVersion: 'koji.fedoraproject.org/v1alpha1',
    kind: 'KojiHub',
    metadata: { name: 'koji-hub', namespace: ns.name },
    spec: {
      ca_cert_secret: emulatedHubCaSecret,
      service_cert_secret: 'koji-hub-service',
      postgres_secret: 'koji-db',
      // The claim the tests' builders and kojira name (createBoundClaim).
      mnt_pvc_name: 'koji-mnt',
    },
  });
  // Short timeouts and retries: the tests stop the hub on purpose.
  const factory = new HubClientFactory({
    urlFor: () => hub.url,
    transport: { timeoutMs: 5_000, retry: { attempts: 2, initialDelayMs: 100, maxDelayMs: 300 } },
  });
  const admin = emulatorAdminClient(hub);
  return {
    factory,
    admin,
    close: async () => {
      await factory.close();
      await admin.close().catch(() => undefined);
    },
  };
}
