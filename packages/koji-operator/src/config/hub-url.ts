// The proposal names koji-hub as `host:port` (hub_host) or as a base URL (koji_hub_url);
// koji's clients want the XML-RPC endpoint (/kojihub) and the files URL (/kojifiles).

/** `koji-hub:8443` or `https://koji-hub:8443/kojihub/` to `https://koji-hub:8443`. */
export function hubBaseUrl(address: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(address) ? address : `https://${address}`;
  return withScheme.replace(/\/+$/, '').replace(/\/kojihub$/, '');
}

export const hubApiUrl = (address: string) => `${hubBaseUrl(address)}/kojihub`;
export const hubFilesUrl = (address: string) => `${hubBaseUrl(address)}/kojifiles`;
