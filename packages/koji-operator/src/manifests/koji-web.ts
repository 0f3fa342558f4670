// KojiWeb -> its ConfigMap (web.conf, httpd.conf), the Secret with kojiweb's session `Secret`,
// the Deployment, the Service, the Ingress or Route for `host`, and a PodDisruptionBudget when
// it runs several replicas.
//
// Login needs a client certificate to reach kojiweb's own httpd. With `service_cert_secret`
// kojiweb serves HTTPS itself and the proxy passes TLS through; without it kojiweb serves HTTP
// behind an edge-terminating proxy, where no client certificate can arrive, so login is off.
import { createHash } from 'node:crypto';
import type { KojiWeb } from '../api/index.js';
import {
  httpdAliveText,
  hubPorts,
  renderWebConf,
  renderWebHttpdConf,
  renderWebSecretConf,
  secretKeys,
} from '../config/index.js';
import { contractContainer, contractPod, mountFor } from './contract-pod.js';
import { podDisruptionBudget } from './disruption.js';
import { exposure } from './exposure.js';
import { defaultImages } from './images.js';
import { labelsFor } from './labels.js';
import { caVolume, clientVolume, configMapVolume, secretVolume, type Volume } from './pod.js';
import type { RenderedChildren } from './koji-hub.js';
import { child, Resources, type Child } from './resources.js';
import { configMap, deployment, service } from './workload.js';

/** kojiweb's port in the pod and on its Service: HTTPS with a server certificate, else HTTP. */
export const webPort = hubPorts.http;
export const webTlsPort = hubPorts.https;

export interface WebManifestInput {
  web: KojiWeb;
  referencedHash: string;
  /** The session-cookie secret (kept in the owned `<name>-session` Secret). */
  sessionSecret: string;
  /** The hub's base URL and the /kojifiles URL browsers use, as resolved (hub-address.ts). */
  hubUrl?: string | undefined;
  filesUrl?: string | undefined;
}

export function webNames(web: KojiWeb) {
  const name = web.metadata.name ?? '';
  return {
    deployment: name,
    service: name,
    exposure: name,
    config: `${name}-config`,
    session: `${name}-session`,
  };
}

/** Whether kojiweb serves HTTPS (and login) itself. */
export const webServesTls = (web: KojiWeb) => Boolean(web.spec?.service_cert_secret);

export function webUrl(web: KojiWeb): string {
  if (web.spec?.host) return `https://${web.spec.host}/koji`;
  const host = `${web.metadata.name}.${web.metadata.namespace}.svc`;
  return webServesTls(web) ? `https://${host}:${webTlsPort}/koji` : `http://${host}:${webPort}/koji`;
}

export function webManifests({
  web,
  referencedHash,
  sessionSecret,
  hubUrl,
  filesUrl,
}: WebManifestInput): RenderedChildren {
  const spec = web.spec;
  if (!spec) throw new Error(`KojiWeb ${web.metadata.name} has no spec`);
  const name = web.metadata.name ?? '';
  const names = webNames(web);
  const tls = webServesTls(web);
  const port = tls ? ('https' as const) : ('http' as const);
  const replicas = spec.replicas ?? 1;
  const conf = renderWebConf({
    web: spec,
    loginEnabled: tls,
    ...(hubUrl ? { hubUrl } : {}),
    ...(filesUrl ? { filesUrl } : {}),
  });
  const data = {
    'web.conf': conf.text,
    'httpd.conf': renderWebHttpdConf({
      serverName: spec.host || `${name}.${web.metadata.namespace}.svc`,
      tls,
    }),
    'alive.txt': httpdAliveText,
  };
  const session = renderWebSecretConf(sessionSecret);
  const hash = createHash('sha256')
    .update(referencedHash)
    .update(JSON.stringify(data))
    .update(session)
    .digest('hex')
    .slice(0, 32);
  const mount = (volume: string) => mountFor('koji-web', volume);
  const volumes: Volume[] = [
    configMapVolume('httpd-conf', names.config, ['httpd.conf', 'alive.txt']),
    configMapVolume('web-conf', names.config, ['web.conf']),
    secretVolume('session', names.session, ['secret.conf']),
    clientVolume(spec.client_cert_secret),
    caVolume(spec.cacert_secret),
    { name: 'httpd-run', emptyDir: {} },
    { name: 'tmp', emptyDir: {} },
  ];
  const mounts = ['httpd-conf', 'web-conf', 'session', 'client', 'ca', 'httpd-run', 'tmp'].map(mount);
  if (spec.service_cert_secret) {
    volumes.push(secretVolume('service', spec.service_cert_secret, [secretKeys.tlsCert, secretKeys.tlsKey]));
    mounts.push(mount('service'));
  }
  const portNumber = tls ? webTlsPort : webPort;
  const children: Child[] = [
    configMap(names.config, 'koji-web', name, data),
    child(Resources.secret, {
      metadata: { name: names.session, labels: labelsFor('koji-web', name) },
      type: 'Opaque',
      // data, not stringData: server-side apply then owns exactly the field it sets.
      data: { 'secret.conf': Buffer.from(session).toString('base64') },
    }),
    deployment({
      name: names.deployment,
      component: 'koji-web',
      replicas,
      hash,
      pod: {
        ...contractPod('koji-web', spec),
        containers: [
          {
            name: 'koji-web',
            image: spec.image ?? defaultImages.web,
            ports: [{ name: port, containerPort: portNumber, protocol: 'TCP' }],
            volumeMounts: mounts,
            ...contractContainer('koji-web', spec, port),
          },
        ],
        volumes,
      },
    }),
    service(names.service, 'koji-web', name, [{ name: port, port: portNumber }]),
  ];
  if (replicas > 1) children.push(podDisruptionBudget(names.deployment, 'koji-web', name));
  if (spec.host) {
    children.push(
      exposure({
        name: names.exposure,
        component: 'koji-web',
        host: spec.host,
        backend: spec.ingress_backend ?? 'nginx',
        serviceName: names.service,
        port,
        // With its own certificate kojiweb must see the client's TLS handshake to log users in.
        tls: tls ? 'passthrough' : 'edge',
      }),
    );
  }
  return { children, dropped: conf.dropped };
}
