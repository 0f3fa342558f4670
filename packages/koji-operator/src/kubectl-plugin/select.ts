// Which KojiHub, which pod, which container (pure functions over what the API returned).
import {
  ADMIN_CONTAINER,
  hubNotFoundMessage,
  noAdminContainerMessage,
  noHubMessage,
  noReadyPodMessage,
  noSidecarMessage,
  severalHubsMessage,
  type PodSummary,
} from './messages.js';

/** The part of a KojiHub the plugin reads (koji.fedoraproject.org/v1alpha1, kojihubs). */
export interface HubObject {
  metadata?: { name?: string; deletionTimestamp?: string | Date };
  spec?: { sidecar?: boolean };
}

/** The part of a Pod the plugin reads. */
export interface PodObject {
  metadata?: { name?: string; deletionTimestamp?: string | Date; creationTimestamp?: string | Date };
  spec?: { containers?: { name: string }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

/** The labels the operator puts on a KojiHub's pods. */
export function hubPodSelector(hub: string): string {
  return `app.kubernetes.io/name=koji-hub,app.kubernetes.io/instance=${hub}`;
}

/** The KojiHub to use: the one named by --hub, or the only one in the namespace. Throws PluginError. */
export function selectHub(hubs: readonly HubObject[], namespace: string, requested?: string): HubObject {
  const names = hubs.map((h) => h.metadata?.name ?? '').sort();
  if (requested !== undefined) {
    const hub = hubs.find((h) => h.metadata?.name === requested);
    if (!hub) throw hubNotFoundMessage(requested, namespace, names);
    return hub;
  }
  if (hubs.length === 0) throw noHubMessage(namespace);
  if (hubs.length > 1) throw severalHubsMessage(namespace, names);
  return hubs[0] as HubObject;
}

/** Throws the "enable the sidecar" error unless spec.sidecar is true. */
export function requireSidecar(hub: HubObject, namespace: string): void {
  if (hub.spec?.sidecar !== true) throw noSidecarMessage(hub.metadata?.name ?? '', namespace);
}

export function isPodReady(pod: PodObject): boolean {
  return (
    !pod.metadata?.deletionTimestamp &&
    pod.status?.phase === 'Running' &&
    (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

function summary(pod: PodObject): PodSummary {
  return {
    name: pod.metadata?.name ?? '',
    phase: pod.status?.phase,
    ready: isPodReady(pod),
    terminating: Boolean(pod.metadata?.deletionTimestamp),
  };
}

/**
 * The pod to run koji in: a Ready pod that has the koji-admin container (the newest, so that
 * during a rollout the pod of the current template wins). Throws PluginError.
 */
export function selectPod(pods: readonly PodObject[], hub: string, namespace: string): string {
  const ready = pods.filter(isPodReady);
  if (ready.length === 0) throw noReadyPodMessage(hub, namespace, pods.map(summary));
  const withAdmin = ready
    .filter((p) => (p.spec?.containers ?? []).some((c) => c.name === ADMIN_CONTAINER))
    .sort(
      (a, b) =>
        time(b.metadata?.creationTimestamp) - time(a.metadata?.creationTimestamp) ||
        (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
    );
  const chosen = withAdmin[0];
  if (!chosen) {
    throw noAdminContainerMessage(
      hub,
      namespace,
      ready.map((p) => p.metadata?.name ?? ''),
    );
  }
  return chosen.metadata?.name ?? '';
}

function time(value: string | Date | undefined): number {
  if (value === undefined) return 0;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? 0 : ms;
}
