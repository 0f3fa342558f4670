// Where kojira, kojiweb and the builders reach koji-hub. The proposal's CRs name it
// `koji-hub:8443`, `https://koji-hub:8443` and `koji_hub:8443`, while the KojiHub is
// `mb-koji-hub`; so the KojiHub also answers as `koji-hub` (an alias Service, koji-hub.ts), and
// this decides, purely, what URL each dependent gets:
//   - empty: the namespace's KojiHub's in-cluster URL (FromKojiHub);
//   - a DNS name: as given (AsGiven);
//   - not a DNS name (an underscore, as in `koji_hub`), that with '-' for '_' names the
//     namespace's KojiHub: rewritten to that name (Rewritten), reported, never silently kept;
//   - otherwise, or empty with no KojiHub: an InvalidHubAddress / NoHubAddress problem.
// `namesTheHub` also says whether the files of that hub (/kojifiles) are the namespace hub's,
// so builders' topurl and kojiweb's KojiFilesURL follow the KojiHub's addresses.
import type { KojiHub } from '../api/index.js';
import { hubBaseUrl } from '../config/index.js';
import { hubAliasService, hubFilesUrls, hubUrls } from './koji-hub.js';

export type HubAddressSource = 'AsGiven' | 'FromKojiHub' | 'Rewritten';

export type HubAddress =
  | { ok: true; baseUrl: string; source: HubAddressSource; namesTheHub: boolean; message: string }
  | { ok: false; reason: 'InvalidHubAddress' | 'NoHubAddress'; message: string };

const dnsName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The names a pod of the namespace can reach the hub under (short and qualified). */
export function hubHostNames(hub: KojiHub): string[] {
  const namespace = hub.metadata.namespace ?? '';
  const services = [...new Set([hub.metadata.name ?? '', hubAliasService])];
  return services.flatMap((s) => [
    s,
    `${s}.${namespace}`,
    `${s}.${namespace}.svc`,
    `${s}.${namespace}.svc.cluster.local`,
  ]);
}

function hostOf(baseUrl: string): { host: string; url: URL } | undefined {
  try {
    const url = new URL(baseUrl);
    return { host: url.hostname, url };
  } catch {
    return undefined;
  }
}

/** `field` is the CR's field name, for messages. */
export function resolveHubAddress(
  given: string | undefined,
  hub: KojiHub | undefined,
  field: string,
): HubAddress {
  if (!given) {
    if (!hub) {
      return {
        ok: false,
        reason: 'NoHubAddress',
        message: `${field} is empty and the namespace has no KojiHub to take the address from`,
      };
    }
    const baseUrl = hubBaseUrl(hubUrls(hub).hubUrl);
    return {
      ok: true,
      baseUrl,
      source: 'FromKojiHub',
      namesTheHub: true,
      message: `${field} is empty: KojiHub ${hub.metadata.name} at ${baseUrl}`,
    };
  }
  // `koji_hub:8443` is not a URL host WHATWG URL accepts everywhere; look at the raw text too.
  const base = hubBaseUrl(given);
  const rawHost = /^[a-z]+:\/\/([^/:]+)/i.exec(base)?.[1]?.toLowerCase() ?? '';
  const names = hub ? hubHostNames(hub) : [];
  if (dnsName.test(rawHost) && hostOf(base)) {
    return {
      ok: true,
      baseUrl: base,
      source: 'AsGiven',
      namesTheHub: names.includes(rawHost),
      message: `${field} ${given} as given`,
    };
  }
  const candidate = rawHost.replace(/_/g, '-');
  if (hub && names.includes(candidate)) {
    const baseUrl = base.replace(/^([a-z]+:\/\/)[^/:]+/i, `$1${candidate}`);
    return {
      ok: true,
      baseUrl,
      source: 'Rewritten',
      namesTheHub: true,
      message: `${field} ${given}: "${rawHost}" is not a DNS name (no '_' allowed), so no pod could resolve it; using ${baseUrl}, KojiHub ${hub.metadata.name}'s Service. Set ${field} to that (or leave it empty) to silence this`,
    };
  }
  return {
    ok: false,
    reason: 'InvalidHubAddress',
    message: `${field} ${given}: "${rawHost}" is not a DNS name (lowercase letters, digits, '-' and '.'), so no pod can resolve it${
      hub
        ? `; KojiHub ${hub.metadata.name} answers as ${hubHostNames(hub).slice(0, 1).join('')} or ${hubAliasService}`
        : ''
    }`,
  };
}

/** kojid's topurl / kojiweb's KojiFilesURL for a resolved address. */
export function filesUrlFor(
  address: { baseUrl: string; namesTheHub: boolean },
  hub: KojiHub | undefined,
  audience: 'pods' | 'browsers',
): string {
  if (hub && address.namesTheHub) {
    const urls = hubFilesUrls(hub);
    return audience === 'browsers' ? (urls.external ?? urls.inCluster) : urls.inCluster;
  }
  return `${address.baseUrl}/kojifiles`;
}
