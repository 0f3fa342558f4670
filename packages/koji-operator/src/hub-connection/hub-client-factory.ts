// Which koji hub a namespace's objects talk to, and a logged-in KojiClient for it.
//
// A namespace has exactly one KojiHub; the operator reaches it at its Service
// (https://<hub>.<namespace>.svc:8443/kojihub) and trusts the CA in the hub's `ca_cert_secret`.
// It logs in with its own admin identity: the client certificate in the hub's
// `admin_cert_secret` (default koji-admin-client-cert, as examples/gen-certs.sh makes it), whose
// CN is a Koji user with the `admin` permission.
//
// Clients are cached per hub and reused while the URL, CA and admin certificate stay the same;
// each lookup reads the Secrets again, so a rotated certificate is used on the next handler run.
import { createHash, X509Certificate } from 'node:crypto';

import type { KubeClient, ObjectList } from '@fedora-operators/framework';

import type { KojiHub } from '../api/koji-hub.js';
import { readSecretData } from '../certs/secret-data.js';
import { hubPorts, secretKeys } from '../config/layout.js';
import { KojiClient, type KojiTransportOptions } from '../koji/index.js';
import { kojiHubResource } from './resources.js';

export const defaultAdminCertSecret = 'koji-admin-client-cert';

/** The Secret holding the operator's admin client certificate for this hub. */
export const adminCertSecretOf = (hub: KojiHub): string =>
  hub.spec?.admin_cert_secret ?? defaultAdminCertSecret;

/** The hub's in-cluster XML-RPC URL: its Service, on the HTTPS port. */
export const defaultHubUrl = (hub: KojiHub): string =>
  `https://${hub.metadata.name}.${hub.metadata.namespace}.svc:${hubPorts.https}/kojihub`;

export type HubConnectionReason = 'HubNotFound' | 'AmbiguousHub' | 'HubCaMissing' | 'AdminCertMissing';

/** The hub cannot be addressed yet; `reason` is a CamelCase word for a Ready=False condition. */
export class HubConnectionError extends Error {
  constructor(
    readonly reason: HubConnectionReason,
    message: string,
  ) {
    super(message);
    this.name = 'HubConnectionError';
  }
}

export interface HubConnection {
  hub: KojiHub;
  url: string;
  client: KojiClient;
  /** The koji user the operator logs in as: its admin certificate's CN. */
  adminUser: string | undefined;
}

export interface HubClientFactoryOptions {
  /** The hub's URL; default defaultHubUrl. Tests point it at an emulator on 127.0.0.1. */
  urlFor?: (hub: KojiHub) => string;
  /** Transport settings other than the URL and TLS material (timeouts, retries, logger). */
  transport?: Omit<KojiTransportOptions, 'hubUrl' | 'ca' | 'cert' | 'key'>;
}

interface CacheEntry {
  fingerprint: string;
  client: KojiClient;
}

export class HubClientFactory {
  readonly #cache = new Map<string, CacheEntry>();
  readonly #urlFor: (hub: KojiHub) => string;
  readonly #transport: HubClientFactoryOptions['transport'];

  constructor(options: HubClientFactoryOptions = {}) {
    this.#urlFor = options.urlFor ?? defaultHubUrl;
    this.#transport = options.transport;
  }

  /** The namespace's single KojiHub, or a HubConnectionError saying why there is none to use. */
  async hubIn(kube: KubeClient, namespace: string): Promise<KojiHub> {
    const list = await kube.list<KojiHub>(kojiHubResource, namespace);
    const hubs = (list as ObjectList<KojiHub>).items.filter((h) => !h.metadata.deletionTimestamp);
    const [hub, ...others] = hubs;
    if (!hub) {
      throw new HubConnectionError('HubNotFound', `there is no KojiHub in namespace ${namespace}`);
    }
    if (others.length > 0) {
      const names = hubs.map((h) => h.metadata.name).join(', ');
      throw new HubConnectionError(
        'AmbiguousHub',
        `namespace ${namespace} has ${hubs.length} KojiHubs (${names}); Koji objects need exactly one`,
      );
    }
    return hub;
  }

  /** A client logged in (on first call) as the operator's admin to the namespace's hub. */
  async forNamespace(kube: KubeClient, namespace: string): Promise<HubConnection> {
    return this.forHub(kube, await this.hubIn(kube, namespace));
  }

  /** A client logged in (on first call) as the operator's admin to this hub. */
  async forHub(kube: KubeClient, hub: KojiHub): Promise<HubConnection> {
    const namespace = hub.metadata.namespace ?? '';
    const name = hub.metadata.name ?? '';
    const caSecret = hub.spec?.ca_cert_secret ?? '';
    const ca = caSecret ? await readSecretData(kube, namespace, caSecret) : undefined;
    const caPem = ca?.[secretKeys.caCert];
    if (!caPem) {
      throw new HubConnectionError(
        'HubCaMissing',
        `KojiHub ${name}: Secret ${caSecret} (ca_cert_secret) is missing or has no ${secretKeys.caCert}`,
      );
    }
    const adminSecret = adminCertSecretOf(hub);
    const admin = await readSecretData(kube, namespace, adminSecret);
    const certPem = admin?.[secretKeys.tlsCert];
    const keyPem = admin?.[secretKeys.tlsKey];
    if (!certPem || !keyPem) {
      throw new HubConnectionError(
        'AdminCertMissing',
        `KojiHub ${name}: the operator's admin certificate Secret ${adminSecret} (admin_cert_secret) is missing or has no ${secretKeys.tlsCert} and ${secretKeys.tlsKey}`,
      );
    }
    const url = this.#urlFor(hub);
    const key = `${namespace}/${name}`;
    // A digest, so the cache holds no second copy of the key material to compare against.
    const fingerprint = createHash('sha256')
      .update(url)
      .update('\0')
      .update(caPem)
      .update('\0')
      .update(certPem)
      .update('\0')
      .update(keyPem)
      .digest('hex');
    const adminUser = commonNameOf(certPem);
    const cached = this.#cache.get(key);
    if (cached?.fingerprint === fingerprint) return { hub, url, client: cached.client, adminUser };
    if (cached) void cached.client.close().catch(() => undefined);
    const client = new KojiClient({ ...this.#transport, hubUrl: url, ca: caPem, cert: certPem, key: keyPem });
    this.#cache.set(key, { fingerprint, client });
    return { hub, url, client, adminUser };
  }

  /** Logs out and closes every cached client (operator shutdown, tests). */
  async close(): Promise<void> {
    const entries = [...this.#cache.values()];
    this.#cache.clear();
    await Promise.all(entries.map((e) => e.client.close().catch(() => undefined)));
  }
}

/** The CN of a PEM certificate (the hub maps it to the koji user name), or undefined. */
function commonNameOf(pem: string): string | undefined {
  try {
    return new X509Certificate(pem).subject
      .split('\n')
      .find((line) => line.startsWith('CN='))
      ?.slice(3);
  } catch {
    return undefined;
  }
}
