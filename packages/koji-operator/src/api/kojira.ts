// Kojira: the repo-maintenance daemon. Koji allows one per instance (it takes an exclusive
// session), so `replicas` exists only to say so; a second Kojira CR is refused by the controller.
import type { KubeObject } from '@fedora-operators/framework';
import type { KindDefinition } from './definition.js';
import { hubAddress, hubUrlStatus, image, objectName } from './fields.js';
import { placementProperties, type PodPlacement } from './placement.js';
import { kojiUserName } from './koji-user.js';
import { readyReplicasField, statusSchema, type CommonStatus } from './status.js';

// The spellings Python's configparser reads as booleans, as the proposal's `src: 'no'` is one.
export const configBooleans = ['yes', 'no', 'true', 'false', 'on', 'off', '1', '0'] as const;

export interface KojiraSpec extends PodPlacement {
  replicas?: 1;
  configmap?: string;
  hub_username?: string;
  hub_host?: string;
  src?: (typeof configBooleans)[number];
  max_repo_tasks?: number;
  repo_tasks_limit?: number;
  cacert_secret: string;
  client_cert_secret: string;
  shared_pvc: string;
  image?: string;
}

export interface KojiraStatus extends CommonStatus {
  /** The hub URL kojira.conf names (hub_host resolved, or the KojiHub's). */
  hubUrl?: string;
  /** False when another Kojira in the namespace already runs. */
  active?: boolean;
  readyReplicas?: number;
}

export type Kojira = KubeObject<KojiraSpec, KojiraStatus>;

export const kojiraDefinition: KindDefinition = {
  kind: 'Kojira',
  plural: 'kojiras',
  singular: 'kojira',
  shortNames: ['kra'],
  description: 'kojira, which keeps the build roots and repos of a Koji instance current.',
  spec: {
    type: 'object',
    required: ['cacert_secret', 'client_cert_secret', 'shared_pvc'],
    properties: {
      replicas: {
        type: 'integer',
        minimum: 1,
        maximum: 1,
        description: 'Always 1.',
        'x-kubernetes-validations': [
          {
            rule: 'self == 1',
            message:
              'kojira runs as exactly one instance (it holds an exclusive hub session): replicas must be 1',
          },
        ],
      },
      configmap: objectName(
        'ConfigMap',
        'Your kojira.conf (key kojira.conf), merged over the generated one.',
      ),
      hub_username: {
        ...kojiUserName,
        default: 'kojira',
        description: "kojira's Koji user: the CN of its client certificate; the hub queues repo tasks as it.",
      },
      hub_host: hubAddress('koji-hub as host:port, e.g. koji-hub:8443, or as an https:// URL.'),
      src: {
        type: 'string',
        enum: [...configBooleans],
        description: 'Include source RPMs in every repo (the hub option SourceTags = *).',
      },
      max_repo_tasks: {
        type: 'integer',
        minimum: 1,
        maximum: 1000,
        description: 'Most newRepo tasks at once (the hub option MaxRepoTasks).',
      },
      repo_tasks_limit: {
        type: 'integer',
        minimum: 1,
        maximum: 1000,
        description: 'Pre-1.35 cap on all newRepo tasks; koji 1.35 folds it into MaxRepoTasks.',
      },
      cacert_secret: objectName('Secret', "The CA of koji-hub's server certificate (key ca.crt)."),
      client_cert_secret: objectName(
        'Secret',
        "kojira's client certificate (client.pem: certificate and key).",
      ),
      shared_pvc: objectName('PersistentVolumeClaim', 'The /mnt/koji PVC, mounted read-write.'),
      image: image('kojira image override.'),
      ...placementProperties('kojira pods'),
    },
  },
  status: statusSchema({
    active: { type: 'boolean', description: 'False when another Kojira in the namespace already runs.' },
    hubUrl: hubUrlStatus,
    readyReplicas: readyReplicasField,
  }),
  printerColumns: [{ name: 'Active', type: 'boolean', jsonPath: '.status.active' }],
};
