// Where and how big a component's pods are: the same fields, with Kubernetes' own names and
// shapes, on every kind that runs pods. The manifests apply each component's defaults under them.
import type { JSONSchemaProps } from './schema.js';

export type Quantity = string | number;

export interface ResourceRequirements {
  requests?: Record<string, Quantity>;
  limits?: Record<string, Quantity>;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

export interface PodPlacement {
  resources?: ResourceRequirements;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  /** A core/v1 Affinity, passed to the pods as written. */
  affinity?: Record<string, unknown>;
  imagePullSecrets?: { name: string }[];
}

// resource.Quantity's grammar, signed.
const quantityPattern =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

const quantities = (description: string): JSONSchemaProps => ({
  type: 'object',
  description,
  additionalProperties: {
    'x-kubernetes-int-or-string': true,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    pattern: quantityPattern,
  },
});

/** The placement fields' schemas, named for the pods they place (e.g. "koji-hub pods"). */
export function placementProperties(pods: string): Record<keyof PodPlacement, JSONSchemaProps> {
  return {
    resources: {
      type: 'object',
      description: `CPU and memory of the ${pods}' main container (requests, limits); sensible defaults when unset.`,
      properties: {
        requests: quantities('Minimum resources, e.g. {cpu: 100m, memory: 256Mi}.'),
        limits: quantities('Maximum resources, e.g. {memory: 1Gi}.'),
      },
    },
    nodeSelector: {
      type: 'object',
      description: `Node labels the ${pods} must run on.`,
      additionalProperties: { type: 'string' },
    },
    tolerations: {
      type: 'array',
      description: `Taints the ${pods} tolerate.`,
      maxItems: 64,
      items: {
        type: 'object',
        properties: {
          key: { type: 'string' },
          operator: { type: 'string', enum: ['Exists', 'Equal'] },
          value: { type: 'string' },
          effect: { type: 'string', enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
          tolerationSeconds: { type: 'integer' },
        },
      },
    },
    affinity: {
      type: 'object',
      description: `A core/v1 Affinity for the ${pods} (nodeAffinity, podAffinity, podAntiAffinity).`,
      'x-kubernetes-preserve-unknown-fields': true,
    },
    imagePullSecrets: {
      type: 'array',
      description: `Secrets to pull the ${pods}' images with.`,
      maxItems: 16,
      items: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string', minLength: 1, maxLength: 253 } },
      },
    },
  };
}
