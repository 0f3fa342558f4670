// What cluster DNS and kube-proxy do for a pod, done by the test for clients that run outside
// the cluster network (the operator in-process, a test's koji client): a Service host name
// (`svc.ns.svc[.cluster.local]`, `svc.ns`, or `svc` as a pod of `searchNamespace` resolves it)
// goes to the Service, its port to the target port, and that to a ready endpoint of the
// Service's EndpointSlices. The last hop, from a pod's IP to a process, is the test's: KWOK's
// pods have IPs nothing listens on, so `reach` maps a hub pod's endpoint to the emulator.
// Every name and port must exist in the cluster: a name no Service has fails like DNS would.
import type { KubeClient, KubeObject } from '@fedora-operators/framework';
import type { HubDialer } from '../../src/koji/index.js';
import { Resources, selectorFor } from '../../src/manifests/index.js';

const endpointSlices = {
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  namespaced: true,
};

export interface Endpoint {
  namespace: string;
  service: string;
  ip: string;
  port: number;
}

interface ServicePort {
  name?: string;
  port: number;
}
interface Slice extends KubeObject {
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[];
  ports?: { name?: string; port?: number }[];
}

/** Splits a host name into Service and namespace as a pod of `searchNamespace` would. */
export function serviceOf(
  host: string,
  searchNamespace?: string,
): { service: string; namespace: string } | undefined {
  const parts = host.split('.');
  if (parts.length === 1 && searchNamespace) return { service: host, namespace: searchNamespace };
  const [service, namespace, ...rest] = parts;
  const suffix = rest.join('.');
  if (!service || !namespace || !['', 'svc', 'svc.cluster.local'].includes(suffix)) return undefined;
  return { service, namespace };
}

export function serviceDialer(
  kube: KubeClient,
  reach: (endpoint: Endpoint) => Promise<{ host: string; port: number }>,
  options: { searchNamespace?: string; dialed?: string[] } = {},
): HubDialer {
  return async ({ host, port }) => {
    options.dialed?.push(`${host}:${port}`);
    const name = serviceOf(host, options.searchNamespace);
    if (!name) throw new Error(`${host} is not a Service name`);
    const svc = await kube.find<KubeObject>(Resources.service, name.namespace, name.service);
    if (!svc) throw new Error(`no Service ${name.service} in namespace ${name.namespace} (${host})`);
    const servicePort = ((svc.spec as { ports?: ServicePort[] }).ports ?? []).find((p) => p.port === port);
    if (!servicePort) throw new Error(`Service ${name.service} has no port ${port}`);
    const slices = await kube.list<Slice>(endpointSlices, name.namespace, {
      labelSelector: `kubernetes.io/service-name=${name.service}`,
    });
    for (const slice of slices.items) {
      const target = (slice.ports ?? []).find((p) => (p.name ?? '') === (servicePort.name ?? ''))?.port;
      const ready = (slice.endpoints ?? []).find((e) => e.conditions?.ready !== false);
      const ip = ready?.addresses[0];
      if (target !== undefined && ip)
        return reach({ namespace: name.namespace, service: name.service, ip, port: target });
    }
    throw new Error(`Service ${name.service} has no ready endpoint for port ${port}`);
  };
}

/**
 * The last hop for the proposal's hub (KojiHub `mb-koji-hub`): a hub pod's HTTPS endpoint, in
 * whichever namespace, is the emulator listening on `port()`; anything else is not reachable.
 */
export function hubPodsAre(
  kube: KubeClient,
  port: () => number,
): (endpoint: Endpoint) => Promise<{ host: string; port: number }> {
  const labelSelector = Object.entries(selectorFor('koji-hub', 'mb-koji-hub'))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return async (endpoint) => {
    const pods = await kube.list<KubeObject>(Resources.pod, endpoint.namespace, { labelSelector });
    const ips = pods.items.map((p) => (p.status as { podIP?: string } | undefined)?.podIP);
    if (!ips.includes(endpoint.ip) || endpoint.port !== 8443)
      throw new Error(
        `${endpoint.ip}:${endpoint.port} (Service ${endpoint.service}) is not a koji-hub pod's HTTPS port`,
      );
    return { host: '127.0.0.1', port: port() };
  };
}
