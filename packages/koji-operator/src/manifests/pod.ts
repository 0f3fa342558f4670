// The few pod-spec shapes the manifests build, and helpers for the volumes they share.
// Typed loosely on purpose: these objects go to the apiserver as JSON through server-side apply.
import type { ResourceRequirements } from '../api/index.js';
import { secretKeys } from '../config/index.js';
import { pkiDirs } from '../images/contract.js';

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?:
    { secretKeyRef: { name: string; key: string; optional?: boolean } } | { fieldRef: { fieldPath: string } };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
  readOnly?: boolean;
}

export interface KeyToPath {
  key: string;
  path: string;
}

export interface Volume {
  name: string;
  secret?: { secretName: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean };
  configMap?: { name: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  emptyDir?: { sizeLimit?: string; medium?: 'Memory' };
  projected?: {
    defaultMode?: number;
    sources: (
      { configMap: { name: string; items?: KeyToPath[] } } | { secret: { name: string; items?: KeyToPath[] } }
    )[];
  };
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: { name: string; containerPort: number; protocol: 'TCP' }[];
  volumeMounts?: VolumeMount[];
  readinessProbe?: Record<string, unknown>;
  livenessProbe?: Record<string, unknown>;
  securityContext?: Record<string, unknown>;
  resources?: ResourceRequirements;
}

export interface PodSpec {
  initContainers?: Container[];
  containers: Container[];
  volumes?: Volume[];
  securityContext?: Record<string, unknown>;
  automountServiceAccountToken?: boolean;
  nodeSelector?: Record<string, string>;
  tolerations?: Record<string, unknown>[];
  affinity?: Record<string, unknown>;
  imagePullSecrets?: { name: string }[];
}

/** Where each kind of certificate Secret is mounted (the image contract's). */
export { pkiDirs };

export function secretVolume(name: string, secretName: string, keys?: string[]): Volume {
  return {
    name,
    secret: {
      secretName,
      ...(keys ? { items: keys.map((key) => ({ key, path: key })) } : {}),
      // Keys are read by the component's own user only.
      defaultMode: 0o440,
    },
  };
}

export function configMapVolume(name: string, configMapName: string, keys?: string[]): Volume {
  return {
    name,
    configMap: {
      name: configMapName,
      ...(keys ? { items: keys.map((key) => ({ key, path: key })) } : {}),
    },
  };
}

/** The CA Secret (ca.crt) mounted at /etc/koji-pki/ca. */
export const caVolume = (secretName: string): Volume => secretVolume('ca', secretName, [secretKeys.caCert]);

/** A client Secret's client.pem (certificate and key in one file) at /etc/koji-pki/client. */
export const clientVolume = (secretName: string): Volume =>
  secretVolume('client', secretName, [secretKeys.clientPem]);

/** The shared /mnt/koji volume. */
export const kojiMntVolume = (claimName: string | undefined): Volume =>
  claimName ? { name: 'koji-mnt', persistentVolumeClaim: { claimName } } : { name: 'koji-mnt', emptyDir: {} };

/** The layout koji expects under /mnt/koji. */
export const kojiMntDirs = ['packages', 'repos', 'work', 'scratch', 'repos-dist'] as const;
