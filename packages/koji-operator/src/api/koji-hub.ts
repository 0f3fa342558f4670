// KojiHub: koji-hub (httpd + the hub WSGI app), its storage, exposure and admin sidecar.
// Field names are the proposal's (MBBOX's MBKojiHub), so its CRs apply as written.
import type { KubeObject } from '@fedora-operators/framework';
import type { KindDefinition } from './definition.js';
import { image, objectName, replicas, storageClass, storageSize } from './fields.js';
import { placementProperties, type PodPlacement } from './placement.js';
import { readyReplicasField, statusSchema, type CommonStatus } from './status.js';

export type IngressBackend = 'nginx' | 'openshift';
export type ClaimAccessMode = 'ReadWriteOnce' | 'ReadWriteMany';

/** A PersistentVolumeClaim the hub uses, and whether the operator made it or found it. */
export interface HubClaimStatus {
  /** mnt: /mnt/koji, shared with kojira and builders; httpd: httpd's state. */
  purpose: 'mnt' | 'httpd';
  name: string;
  /** Created: made by the operator (never owned by the KojiHub); Existing: found, used as it is. */
  origin: 'Created' | 'Existing';
  phase?: string;
}

export interface KojiHubSpec extends PodPlacement {
  replicas?: number;
  persistent?: boolean;
  host?: string;
  configmap?: string;
  ca_cert_secret: string;
  service_cert_secret: string;
  postgres_secret: string;
  http_enabled?: boolean;
  https_enabled?: boolean;
  topic_prefix?: string;
  fedora_messaging_url?: string;
  messaging_cert_cm?: string;
  messaging_cert_secret?: string;
  ingress_backend?: IngressBackend;
  httpd_pvc_name?: string;
  httpd_pvc_size?: string;
  httpd_pvc_storage_class?: string;
  httpd_pvc_access_mode?: ClaimAccessMode;
  mnt_pvc_name?: string;
  mnt_pvc_size?: string;
  mnt_pvc_storage_class?: string;
  sidecar?: boolean;
  image?: string;
  sidecar_image?: string;
  admin_cert_secret?: string;
}

export interface KojiHubStatus extends CommonStatus {
  hubUrl?: string;
  externalUrl?: string;
  readyReplicas?: number;
  claims?: HubClaimStatus[];
  /** The koji schema the database has, and the hub image that applied it. */
  schema?: { version: string; image: string };
}

export type KojiHub = KubeObject<KojiHubSpec, KojiHubStatus>;

const hostname = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

export const kojiHubDefinition: KindDefinition = {
  kind: 'KojiHub',
  plural: 'kojihubs',
  singular: 'kojihub',
  shortNames: ['khub'],
  description: 'A koji-hub: the XML-RPC API and /kojifiles of one Koji instance.',
  spec: {
    type: 'object',
    required: ['ca_cert_secret', 'service_cert_secret', 'postgres_secret'],
    'x-kubernetes-validations': [
      {
        rule: 'self.http_enabled || self.https_enabled',
        message: 'at least one of http_enabled and https_enabled must be true, or koji-hub serves nothing',
      },
      {
        rule: 'self.replicas <= 1 || self.persistent',
        message:
          'replicas > 1 needs persistent: true: without it /mnt/koji is an emptyDir of each pod, so what one hub pod writes the others never see',
      },
      {
        rule: "self.replicas <= 1 || !self.persistent || self.httpd_pvc_access_mode == 'ReadWriteMany'",
        message:
          'replicas > 1 needs httpd_pvc_access_mode: ReadWriteMany: a ReadWriteOnce httpd claim can be mounted on one node only, so the other hub pods would never start',
      },
    ],
    properties: {
      replicas: replicas('koji-hub pods; they share the database and /mnt/koji.'),
      persistent: {
        type: 'boolean',
        default: true,
        description:
          'Keep /mnt/koji (the builds) and httpd state on PersistentVolumeClaims. false: emptyDir, lost with the pod, for throwaway hubs only; kojira and builders cannot share it.',
      },
      host: {
        type: 'string',
        maxLength: 253,
        description: 'External host name of koji-hub; an Ingress or Route is made for it when set.',
        'x-kubernetes-validations': [
          {
            rule: `self == '' || self.matches('${hostname}')`,
            message: 'must be a DNS host name such as koji.example.com, without scheme, port or path',
          },
        ],
      },
      configmap: objectName(
        'ConfigMap',
        'Your hub.conf (key hub.conf), merged over the generated one; hub.conf.d.<name>.conf keys become /etc/koji-hub/hub.conf.d/<name>.conf and plugins.<name>.conf keys /etc/koji-hub/plugins/<name>.conf.',
      ),
      ca_cert_secret: objectName('Secret', 'The CA that signs client certificates (key ca.crt).'),
      service_cert_secret: objectName('Secret', "koji-hub's TLS server certificate (tls.crt, tls.key)."),
      postgres_secret: objectName(
        'Secret',
        'PostgreSQL connection: POSTGRES_HOST, POSTGRES_DB, POSTGRES_USER, POSTGRES_PASSWORD.',
      ),
      http_enabled: {
        type: 'boolean',
        default: false,
        description: 'Serve plain HTTP (anonymous calls only).',
      },
      https_enabled: {
        type: 'boolean',
        default: true,
        description: 'Serve HTTPS with client-certificate login.',
      },
      topic_prefix: {
        type: 'string',
        maxLength: 253,
        description: 'fedora-messaging topic prefix, e.g. org.fedoraproject.prod.',
      },
      fedora_messaging_url: {
        type: 'string',
        maxLength: 2048,
        description: 'AMQP URL of the broker; enables the koji-fedoramessaging hub plugin when set.',
        'x-kubernetes-validations': [
          { rule: "self.matches('^amqps?://')", message: 'must be an amqp:// or amqps:// URL' },
        ],
      },
      messaging_cert_cm: objectName(
        'ConfigMap',
        'TLS material for the broker: ca_cert.pem, client_cert.pem, client_key.pem.',
      ),
      messaging_cert_secret: objectName(
        'Secret',
        'TLS material for the broker (ca_cert.pem, client_cert.pem, client_key.pem), e.g. koji-fedora-messaging-cert; preferred over messaging_cert_cm, since it holds a private key.',
      ),
      ingress_backend: {
        type: 'string',
        enum: ['nginx', 'openshift'],
        default: 'nginx',
        description: 'nginx: a networking.k8s.io Ingress; openshift: a route.openshift.io Route.',
      },
      httpd_pvc_name: objectName(
        'PersistentVolumeClaim',
        "The httpd state PVC's name (default <name>-httpd). An existing claim of that name is used as it is.",
      ),
      httpd_pvc_size: storageSize('Size of the httpd state PVC, when the operator creates it.'),
      httpd_pvc_storage_class: storageClass('httpd state PVC'),
      httpd_pvc_access_mode: {
        type: 'string',
        enum: ['ReadWriteOnce', 'ReadWriteMany'],
        default: 'ReadWriteOnce',
        description:
          'Access mode of the httpd state PVC the operator creates; ReadWriteMany lets replicas > 1 share it.',
      },
      mnt_pvc_name: objectName(
        'PersistentVolumeClaim',
        'The /mnt/koji PVC (ReadWriteMany), shared with kojira and builders (default <name>-mnt). An existing claim of that name is used as it is. Never deleted with the KojiHub: it holds the builds.',
      ),
      mnt_pvc_size: storageSize('Size of the /mnt/koji PVC, when the operator creates it.'),
      mnt_pvc_storage_class: storageClass('/mnt/koji PVC (it needs ReadWriteMany, e.g. NFS or CephFS)'),
      sidecar: {
        type: 'boolean',
        default: false,
        description: 'Add an admin container with the koji CLI logged in as the Koji admin.',
      },
      admin_cert_secret: objectName(
        'Secret',
        "The operator's own Koji admin identity: a client certificate (tls.crt, tls.key; CN = a Koji user with the admin permission) it logs in to this hub with. Default koji-admin-client-cert.",
      ),
      image: image('koji-hub image override.'),
      sidecar_image: image('Admin sidecar image override.'),
      ...placementProperties('koji-hub pods'),
    },
  },
  status: statusSchema({
    hubUrl: { type: 'string', description: 'In-cluster URL of the XML-RPC endpoint.' },
    externalUrl: { type: 'string', description: 'URL through the Ingress or Route, when there is one.' },
    readyReplicas: readyReplicasField,
    schema: {
      type: 'object',
      description:
        'The koji schema the database has (version: the koji version of the image that applied it) and that image, which keeps serving while an upgrade runs.',
      required: ['version', 'image'],
      properties: { version: { type: 'string' }, image: { type: 'string' } },
    },
    claims: {
      type: 'array',
      description: 'The PersistentVolumeClaims the hub uses; none is owned by the KojiHub.',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['purpose'],
      items: {
        type: 'object',
        required: ['purpose', 'name', 'origin'],
        properties: {
          purpose: { type: 'string', enum: ['mnt', 'httpd'] },
          name: { type: 'string' },
          origin: {
            type: 'string',
            enum: ['Created', 'Existing'],
            description: 'Created by the operator, or Existing (found, used as it is).',
          },
          phase: { type: 'string' },
        },
      },
    },
  }),
  printerColumns: [
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Available', type: 'integer', jsonPath: '.status.readyReplicas' },
    { name: 'URL', type: 'string', jsonPath: '.status.hubUrl' },
    { name: 'Schema', type: 'string', jsonPath: '.status.schema.version', priority: 1 },
    { name: 'Host', type: 'string', jsonPath: '.spec.host', priority: 1 },
  ],
};
