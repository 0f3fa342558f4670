// Registers a KojiBuilder's replicas as koji hosts. Each StatefulSet replica is one koji host
// named after its pod (`<builder>-<ordinal>`), with its own client certificate (CN = host
// name), so no two kojid share an identity. Koji cannot delete hosts: replicas scaled away and
// all hosts of a deleted KojiBuilder are disabled (and keep their channels, so re-enabling on a
// scale-up is one call).
//
// Order per host, each step checking koji first: getHost -> addHost(name, arches, force) ->
// editHost(arches, capacity, description) when they differ -> channels (listChannels,
// addHostToChannel(create), removeHostFromChannel) -> enableHost.
import type { BuilderHostStatus, KojiBuilder } from '../api/koji-builder.js';
import { builderPodNames } from '../manifests/koji-builder.js';
import { isAlreadyExists, isNotFound, type KojiClient, type KojiHost } from '../koji/index.js';

export interface WantedHost {
  name: string;
  arches: readonly string[];
  channels: readonly string[];
  description: string;
  /** Koji's schema requires > 1; koji's default (2.0) stays when unset. */
  capacity?: number;
}

/**
 * What koji host names start with: the StatefulSet's name, so that each replica's pod and koji
 * host share a name (`spec.host_name`, which the proposal's example sets to the hub's address,
 * does not take part). The one place that decides it.
 */
export const builderHostPrefix = (builder: KojiBuilder): string => builder.metadata.name ?? '';

/** Each replica's pod and koji host name (its certificate's CN), in ordinal order. */
export function builderHostIdentities(builder: KojiBuilder): { pod: string; commonName: string }[] {
  const prefix = builderHostPrefix(builder);
  return builderPodNames(builder).map((pod, ordinal) => ({ pod, commonName: `${prefix}-${ordinal}` }));
}

/** koji's addHost puts a new host in `default`; that is also what an unset `channels` means. */
const defaultChannels = ['default'];

/** The hosts a KojiBuilder wants: one per replica. */
export function wantedHosts(builder: KojiBuilder): WantedHost[] {
  const arches = builder.spec?.host_archs?.length ? builder.spec.host_archs : ['x86_64'];
  const channels = builder.spec?.channels ?? defaultChannels;
  return builderHostIdentities(builder).map(({ commonName }, ordinal) => ({
    name: commonName,
    arches,
    channels,
    description: `KojiBuilder ${builder.metadata.namespace}/${builder.metadata.name} replica ${ordinal} (managed by koji-operator)`,
  }));
}

/** Hosts of this builder (by name) whose ordinal is not below `keep`: the ones to disable. */
export function retiredHostNames(prefix: string, hostNames: readonly string[], keep: number): string[] {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`);
  return hostNames
    .filter((name) => {
      const match = pattern.exec(name);
      return match !== null && Number(match[1]) >= keep;
    })
    .sort();
}

export interface HostEdits {
  arches?: string;
  capacity?: number;
  description?: string;
}

/** The editHost fields that differ from koji's record; empty when nothing is to change. */
export function hostEdits(current: KojiHost, wanted: WantedHost): HostEdits {
  const edits: HostEdits = {};
  const arches = wanted.arches.join(' ');
  if (current.arches !== arches) edits.arches = arches;
  if (wanted.capacity !== undefined && current.capacity !== wanted.capacity) edits.capacity = wanted.capacity;
  if ((current.description ?? '') !== wanted.description) edits.description = wanted.description;
  return edits;
}

export function channelChanges(
  current: readonly string[],
  wanted: readonly string[],
): { add: string[]; remove: string[] } {
  return {
    add: wanted.filter((c) => !current.includes(c)),
    remove: current.filter((c) => !wanted.includes(c)),
  };
}

async function ignoring<T>(call: Promise<T>, benign: (e: unknown) => boolean): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!benign(error)) throw error;
  }
}

/** Registers or updates one host and enables it; returns its state in koji. */
export async function registerHost(client: KojiClient, wanted: WantedHost): Promise<BuilderHostStatus> {
  let host = await client.getHost(wanted.name);
  if (!host) {
    // force: a NORMAL user of that name (a kojid that logged in before it was registered, with
    // LoginCreatesUser on) is turned into the host user instead of failing (koji.md §6, 4.).
    await ignoring(client.addHost(wanted.name, wanted.arches, undefined, true), isAlreadyExists);
    host = await client.getHost(wanted.name, { strict: true });
  }
  if (!host) throw new Error(`koji did not return host ${wanted.name} after addHost`);
  const edits = hostEdits(host, wanted);
  if (Object.keys(edits).length > 0) await client.editHost(wanted.name, edits);

  const current = (await client.listChannels({ hostID: wanted.name })).map((c) => c.name);
  const { add, remove } = channelChanges(current, wanted.channels);
  for (const channel of add) {
    await ignoring(client.addHostToChannel(wanted.name, channel, true), isAlreadyExists);
  }
  for (const channel of remove) {
    await ignoring(client.removeHostFromChannel(wanted.name, channel), isNotFound);
  }
  if (!host.enabled) await client.enableHost(wanted.name);
  return { name: wanted.name, hostId: host.id, enabled: true };
}

/** Disables a host (koji has no deleteHost); a host koji does not know is fine. */
export async function retireHost(client: KojiClient, name: string): Promise<BuilderHostStatus | undefined> {
  const host = await client.getHost(name);
  if (!host) return undefined;
  if (host.enabled) await client.disableHost(name);
  return { name, hostId: host.id, enabled: false };
}

export interface BuilderHostsResult {
  /** Registered (enabled) hosts, then retired (disabled) ones. */
  hosts: BuilderHostStatus[];
  /** Set when no enabled host in the hub serves createrepo: repos would never be generated. */
  warning?: string;
}

/** Registers every replica of the builder and disables the hosts of replicas scaled away. */
export async function syncBuilderHosts(
  client: KojiClient,
  builder: KojiBuilder,
): Promise<BuilderHostsResult> {
  const wanted = wantedHosts(builder);
  const hosts: BuilderHostStatus[] = [];
  for (const host of wanted) hosts.push(await registerHost(client, host));
  const known = (await client.listHosts()).map((h) => h.name);
  for (const name of retiredHostNames(builderHostPrefix(builder), known, wanted.length)) {
    const retired = await retireHost(client, name);
    if (retired) hosts.push(retired);
  }
  const warning = await createrepoWarning(client);
  return warning ? { hosts, warning } : { hosts };
}

/** Disables every host of a builder that is being deleted. */
export async function retireBuilderHosts(
  client: KojiClient,
  builder: KojiBuilder,
): Promise<BuilderHostStatus[]> {
  const known = (await client.listHosts()).map((h) => h.name);
  const retired: BuilderHostStatus[] = [];
  for (const name of retiredHostNames(builderHostPrefix(builder), known, 0)) {
    const host = await retireHost(client, name);
    if (host) retired.push(host);
  }
  return retired;
}

/** A warning when no enabled host in the hub is in the createrepo channel. */
export async function createrepoWarning(client: KojiClient): Promise<string | undefined> {
  const serving = await client
    .listHosts({ channelID: 'createrepo', enabled: true })
    .catch((error: unknown) => {
      // listHosts with a channel koji does not have yet: nobody serves it.
      if (isNotFound(error)) return [];
      throw error;
    });
  return serving.length > 0
    ? undefined
    : 'no enabled builder is in the createrepo channel: koji will never generate repos; add createrepo to the channels of one KojiBuilder';
}
