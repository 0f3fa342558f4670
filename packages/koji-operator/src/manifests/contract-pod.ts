// The parts of a pod spec that follow from an image's contract: its command, security context,
// mounts at the contract's paths with the contract's modes, probes, and its component's
// placement with defaults. The workload renderers build containers from these, so a pod cannot
// ask an image for something the contract does not promise.
//
// How it fails: mountFor throws for a volume the image does not declare (a renderer bug, caught
// by the unit tests), never at run time for user input.
import type { PodPlacement, ResourceRequirements } from '../api/index.js';
import { contractVolume, images, type ImageName, type ImageProbe } from '../images/contract.js';
import type { Container, PodSpec, VolumeMount } from './pod.js';

/** Pod-level: the image's ids for the process and for the volumes it reads (fsGroup). */
export function podSecurityContext(name: ImageName): Record<string, unknown> {
  const { user, privileged } = images[name];
  return {
    ...(privileged ? {} : { runAsNonRoot: true }),
    runAsUser: user.uid,
    runAsGroup: user.gid,
    // Secrets and volumes are group-owned by fsGroup, so mode 0440 lets this user read them.
    fsGroup: user.gid,
    // Large /mnt/koji volumes are chowned only when their root is not already ours.
    fsGroupChangePolicy: 'OnRootMismatch',
    ...(privileged ? {} : { seccompProfile: { type: 'RuntimeDefault' } }),
  };
}

/** Container-level: least privilege, except what a privileged image needs (mock). */
export function containerSecurityContext(name: ImageName): Record<string, unknown> {
  const { user, privileged, readOnlyRootFilesystem } = images[name];
  if (privileged) return { privileged: true, runAsUser: user.uid, runAsGroup: user.gid };
  return {
    runAsUser: user.uid,
    runAsGroup: user.gid,
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem,
    capabilities: { drop: ['ALL'] },
  };
}

/** A mount of a contract volume, at the contract's path, writable only where the contract says. */
export function mountFor(name: ImageName, volume: string, as = volume): VolumeMount {
  const v = contractVolume(name, volume);
  const file = v.path.split('/').at(-1) ?? '';
  return {
    name: as,
    mountPath: v.path,
    ...(v.file ? { subPath: file } : {}),
    ...(v.writable ? {} : { readOnly: true }),
  };
}

/** The command and arguments of the image, explicit in the pod. */
export const commandOf = (name: ImageName) => ({ command: images[name].command, args: images[name].args });

function probe(p: ImageProbe, port: string, scheme: 'HTTP' | 'HTTPS', timing: Record<string, number>) {
  const action = p.exec
    ? { exec: { command: p.exec } }
    : { httpGet: { path: p.httpGet?.path, port, scheme } };
  return { ...action, ...timing };
}

/**
 * The image's probes. `port` is the container port name httpGet probes ask; `scheme` follows
 * it (the hub's and kojiweb's HTTPS listeners do not require a client certificate).
 */
export function probesFor(
  name: ImageName,
  port: 'http' | 'https' | 'metrics' = 'http',
): { readinessProbe?: Record<string, unknown>; livenessProbe?: Record<string, unknown> } {
  const { readiness, liveness } = images[name].probes;
  const scheme = port === 'https' ? 'HTTPS' : 'HTTP';
  return {
    ...(readiness
      ? {
          readinessProbe: probe(readiness, port, scheme, {
            periodSeconds: 10,
            timeoutSeconds: 5,
            failureThreshold: 3,
          }),
        }
      : {}),
    ...(liveness
      ? {
          livenessProbe: probe(liveness, port, scheme, {
            initialDelaySeconds: 30,
            periodSeconds: 20,
            timeoutSeconds: 5,
            failureThreshold: 3,
          }),
        }
      : {}),
  };
}

/** Requests and limits per component when the CR sets none. */
export const defaultResources: Record<ImageName, ResourceRequirements> = {
  'koji-hub': { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
  'koji-web': { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
  kojira: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
  // Builds vary too much for a limit that fits all; mock's chroots are bounded by sizeLimit.
  kojid: { requests: { cpu: '500m', memory: '1Gi' } },
  'koji-cli': { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '256Mi' } },
  'koji-operator': { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '512Mi' } },
};

/** For the short init containers (directory layout, picking a certificate). */
export const initResources: ResourceRequirements = {
  requests: { cpu: '10m', memory: '16Mi' },
  limits: { memory: '64Mi' },
};

/** The CR's resources, or the component's defaults. */
export const resourcesFor = (name: ImageName, spec: PodPlacement) => spec.resources ?? defaultResources[name];

/** Pod-level placement from the CR: only the fields it sets. */
export function placementOf(spec: PodPlacement): Partial<PodSpec> {
  return {
    ...(spec.nodeSelector ? { nodeSelector: spec.nodeSelector } : {}),
    ...(spec.tolerations ? { tolerations: spec.tolerations as Record<string, unknown>[] } : {}),
    ...(spec.affinity ? { affinity: spec.affinity } : {}),
    ...(spec.imagePullSecrets ? { imagePullSecrets: spec.imagePullSecrets } : {}),
  };
}

/** A container's command, probes, security context and resources from its image's contract. */
export function contractContainer(
  name: ImageName,
  placement: PodPlacement,
  port?: 'http' | 'https' | 'metrics',
): Pick<
  Container,
  'command' | 'args' | 'readinessProbe' | 'livenessProbe' | 'securityContext' | 'resources'
> {
  return {
    ...commandOf(name),
    ...probesFor(name, port),
    securityContext: containerSecurityContext(name),
    resources: resourcesFor(name, placement),
  };
}

/** A pod's ids from its main image, no API token (nothing in koji's pods uses one), placement. */
export function contractPod(name: ImageName, placement: PodPlacement): Partial<PodSpec> {
  return {
    securityContext: podSecurityContext(name),
    automountServiceAccountToken: false,
    ...placementOf(placement),
  };
}
