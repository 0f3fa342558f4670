// The status every kind shares: conditions (Ready first among them) and the generation they
// describe. MBBOX waits on Ready, so its shape is the one kstatus and kubectl wait understand.
import type { Condition } from '@fedora-operators/framework';
import type { JSONSchemaProps } from './schema.js';

export type { Condition };

export interface CommonStatus {
  conditions?: Condition[];
  observedGeneration?: number;
}

const conditionSchema: JSONSchemaProps = {
  type: 'object',
  required: ['type', 'status'],
  properties: {
    type: { type: 'string', maxLength: 316, description: 'Ready, Progressing or Degraded.' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: { type: 'string', maxLength: 1024, description: 'A CamelCase word, e.g. MissingSecret.' },
    message: { type: 'string', maxLength: 32768 },
    lastTransitionTime: { type: 'string', format: 'date-time' },
    observedGeneration: { type: 'integer', minimum: 0 },
  },
};

/** The status schema of a kind: the common fields plus its own. */
export function statusSchema(own: Record<string, JSONSchemaProps>): JSONSchemaProps {
  return {
    type: 'object',
    properties: {
      conditions: {
        type: 'array',
        items: conditionSchema,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      },
      observedGeneration: { type: 'integer', minimum: 0 },
      ...own,
    },
  };
}

export const readyReplicasField: JSONSchemaProps = {
  type: 'integer',
  minimum: 0,
  description: 'Pods of this workload that are Ready.',
};
