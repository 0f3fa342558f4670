// KojiWeb: the kojiweb frontend. It logs in to the hub with its own client certificate and
// proxies users, so the hub must list that certificate's DN in ProxyDNs.
import type { KubeObject } from '@fedora-operators/framework';
import type { KindDefinition } from './definition.js';
import { hubAddress, hubUrlStatus, image, objectName, replicas } from './fields.js';
import { placementProperties, type PodPlacement } from './placement.js';
import type { IngressBackend } from './koji-hub.js';
import { kojiUserName } from './koji-user.js';
import { readyReplicasField, statusSchema, type CommonStatus } from './status.js';

export interface KojiWebSpec extends PodPlacement {
  replicas?: number;
  client_cert_secret: string;
  client_username?: string;
  hub_host?: string;
  cacert_secret: string;
  host?: string;
  ingress_backend?: IngressBackend;
  image?: string;
  service_cert_secret?: string;
}

export interface KojiWebStatus extends CommonStatus {
  /** The hub URL web.conf names (hub_host resolved, or the KojiHub's). */
  hubUrl?: string;
  webUrl?: string;
  readyReplicas?: number;
}

export type KojiWeb = KubeObject<KojiWebSpec, KojiWebStatus>;

export const kojiWebDefinition: KindDefinition = {
  kind: 'KojiWeb',
  plural: 'kojiwebs',
  singular: 'kojiweb',
  shortNames: ['kweb'],
  description: 'kojiweb, the web frontend of a Koji instance.',
  spec: {
    type: 'object',
    required: ['client_cert_secret', 'cacert_secret'],
    properties: {
      replicas: replicas('kojiweb pods.'),
      client_cert_secret: objectName(
        'Secret',
        "kojiweb's client certificate (client.pem: certificate and key).",
      ),
      client_username: {
        ...kojiUserName,
        default: 'kojiweb',
        description: "kojiweb's Koji user name: the CN of its client certificate.",
      },
      hub_host: hubAddress('koji-hub as host:port, e.g. koji-hub:8443, or as an https:// URL.'),
      cacert_secret: objectName('Secret', "The CA of koji-hub's server certificate (key ca.crt)."),
      host: {
        type: 'string',
        maxLength: 253,
        description: 'External host name of kojiweb; an Ingress or Route is made for it when set.',
      },
      ingress_backend: {
        type: 'string',
        enum: ['nginx', 'openshift'],
        default: 'nginx',
        description: 'nginx: a networking.k8s.io Ingress; openshift: a route.openshift.io Route.',
      },
      image: image('kojiweb image override.'),
      service_cert_secret: objectName(
        'Secret',
        "kojiweb's TLS server certificate (tls.crt, tls.key). With it kojiweb serves HTTPS itself, the Ingress or Route passes TLS through, and users log in with client certificates; without it, HTTP behind an edge-terminating proxy, and login is disabled (no client certificate can reach kojiweb).",
      ),
      ...placementProperties('kojiweb pods'),
    },
  },
  status: statusSchema({
    webUrl: { type: 'string', description: 'URL of the web frontend.' },
    hubUrl: hubUrlStatus,
    readyReplicas: readyReplicasField,
  }),
  printerColumns: [
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Available', type: 'integer', jsonPath: '.status.readyReplicas' },
    { name: 'URL', type: 'string', jsonPath: '.status.webUrl' },
  ],
};
