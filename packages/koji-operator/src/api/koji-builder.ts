// KojiBuilder: kojid build hosts. Each replica is its own koji host (its own certificate,
// CN = host name); arches and channels are set on the hub through its API, not in kojid.conf.
import type { KubeObject } from '@fedora-operators/framework';
import type { KindDefinition } from './definition.js';
import { hubUrlStatus, image, objectName, replicas, storageSize, stringList } from './fields.js';
import { placementProperties, type PodPlacement } from './placement.js';
import { statusSchema, readyReplicasField, type CommonStatus } from './status.js';

export interface KojiBuilderSpec extends PodPlacement {
  replicas?: number;
  configmap?: string;
  cacert_secret: string;
  client_cert_secret: string;
  koji_hub_user?: string;
  koji_hub_url?: string;
  max_jobs?: number;
  vendor?: string;
  host_archs?: string[];
  channels?: string[];
  host_name?: string;
  ssl_verify?: boolean;
  shared_pvc: string;
  image?: string;
  mock_config_cm?: string;
  mock_size_limit?: string;
}

export interface BuilderHostStatus {
  name: string;
  hostId?: number;
  enabled?: boolean;
}

export interface KojiBuilderStatus extends CommonStatus {
  /** The hub URL kojid.conf names (koji_hub_url resolved, or the KojiHub's). */
  hubUrl?: string;
  readyReplicas?: number;
  hosts?: BuilderHostStatus[];
}

export type KojiBuilder = KubeObject<KojiBuilderSpec, KojiBuilderStatus>;

// Koji's RegexNameInternal default, which channel names must match.
const kojiName = '^[A-Za-z0-9/_.+-]+$';

export const kojiBuilderDefinition: KindDefinition = {
  kind: 'KojiBuilder',
  plural: 'kojibuilders',
  singular: 'kojibuilder',
  shortNames: ['kbld'],
  description: 'kojid build hosts, each registered in Koji with its arches and channels.',
  spec: {
    type: 'object',
    required: ['cacert_secret', 'client_cert_secret', 'shared_pvc'],
    properties: {
      replicas: replicas('Build hosts; each is one koji host with its own name and certificate.'),
      configmap: objectName('ConfigMap', 'Your kojid.conf (key kojid.conf), merged over the generated one.'),
      cacert_secret: objectName('Secret', "The CA of koji-hub's server certificate (key ca.crt)."),
      client_cert_secret: objectName(
        'Secret',
        "The builder's client certificate (client.pem: certificate and key).",
      ),
      koji_hub_user: {
        type: 'string',
        maxLength: 256,
        description: 'kojid.conf user; empty: the certificate CN is the host name.',
      },
      koji_hub_url: {
        type: 'string',
        maxLength: 1024,
        description:
          "koji-hub's base URL, e.g. https://koji-hub:8443 (/kojihub is added when missing); empty: the namespace's KojiHub.",
        pattern: '^$|^https?://[^/]+',
        'x-kubernetes-validations': [
          {
            rule: "self == '' || self.matches('^https?://[^/]+')",
            message: 'must be an http:// or https:// URL, e.g. https://koji-hub:8443',
          },
        ],
      },
      max_jobs: {
        type: 'integer',
        minimum: 1,
        maximum: 1000,
        description: 'Tasks one host runs at once (kojid.conf maxjobs).',
      },
      vendor: {
        type: 'string',
        minLength: 1,
        maxLength: 256,
        description: 'RPM Vendor tag (kojid.conf vendor).',
      },
      host_archs: stringList('Arches the hosts build for, e.g. [x86_64]; set on the hub with editHost.', {
        type: 'string',
        maxLength: 64,
        pattern: '^[A-Za-z0-9_]+$',
        'x-kubernetes-validations': [
          {
            rule: "self.matches('^[A-Za-z0-9_]+$')",
            message: 'an arch is a word such as x86_64, aarch64 or noarch',
          },
        ],
      }),
      channels: stringList('Koji channels of the hosts; at least one builder must be in createrepo.', {
        type: 'string',
        maxLength: 256,
        pattern: kojiName,
        'x-kubernetes-validations': [
          {
            rule: `self.matches('${kojiName}')`,
            message: "a channel name uses letters, digits and '/', '_', '.', '+', '-' only",
          },
        ],
      }),
      host_name: {
        type: 'string',
        maxLength: 256,
        description:
          "Accepted as in the proposal's example, not used: each replica's koji host name (its certificate's CN) is its pod name, <name>-<ordinal>.",
      },
      ssl_verify: {
        type: 'boolean',
        default: true,
        description: "Verify koji-hub's certificate (false writes no_ssl_verify = True).",
      },
      shared_pvc: objectName('PersistentVolumeClaim', 'The /mnt/koji PVC, mounted read-only.'),
      image: image('kojid image override.'),
      mock_config_cm: objectName(
        'ConfigMap',
        "mock's site-defaults.cfg (key site-defaults.cfg), mounted at /etc/mock/site-defaults.cfg instead of the operator's (which carries the hub's CA into the chroots; keep mock's ssl_copied_ca_trust_dirs).",
      ),
      mock_size_limit: storageSize(
        'Size limit of the /var/lib/mock emptyDir holding the chroots (default 50Gi); a pod over it is evicted.',
      ),
      ...placementProperties('kojid pods'),
    },
  },
  status: statusSchema({
    readyReplicas: readyReplicasField,
    hubUrl: hubUrlStatus,
    hosts: {
      type: 'array',
      description: 'The koji hosts registered for this builder.',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string' },
          hostId: { type: 'integer' },
          enabled: { type: 'boolean' },
        },
      },
    },
  }),
  printerColumns: [
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Available', type: 'integer', jsonPath: '.status.readyReplicas' },
    { name: 'Arches', type: 'string', jsonPath: '.spec.host_archs', priority: 1 },
    { name: 'Channels', type: 'string', jsonPath: '.spec.channels', priority: 1 },
  ],
};
