// KojiWeb -> its ConfigMap (web.conf), the Secret with kojiweb's session `Secret`, the
// Deployment, the Service, and the Ingress or Route for `host`.
import { createHash } from 'node:crypto';
import type { KojiWeb } from '../api/index.js';
import { renderWebConf, renderWebSecretConf } from '../config/index.js';
import { exposure } from './exposure.js';
import { defaultImages } from './images.js';
import { labelsFor } from './labels.js';
import { caMount, caVolume, clientMount, clientVolume, configMapVolume, secretVolume } from './pod.js';
import type { RenderedChildren } from './koji-hub.js';
import { child, Resources, type Child } from './resources.js';
import { configMap, deployment, service } from './workload.js';

/** kojiweb serves plain HTTP in the pod; TLS ends at the Ingress or Route (edge). */
export const webPort = 8080;

export interface WebManifestInput {
  web: KojiWeb;
  referencedHash: string;
  /** The session-cookie secret (kept in the owned `<name>-session` Secret). */
  sessionSecret: string;
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

export function webUrl(web: KojiWeb): string {
  return web.spec?.host
    ? `https://${web.spec.host}/koji`
    : `http://${web.metadata.name}.${web.metadata.namespace}.svc:${webPort}/koji`;
}

export function webManifests({ web, referencedHash, sessionSecret }: WebManifestInput): RenderedChildren {
  const spec = web.spec;
  if (!spec) throw new Error(`KojiWeb ${web.metadata.name} has no spec`);
  const name = web.metadata.name ?? '';
  const names = webNames(web);
  const conf = renderWebConf({ web: spec });
  const data = { 'web.conf': conf.text };
  const session = renderWebSecretConf(sessionSecret);
  const hash = createHash('sha256')
    .update(referencedHash)
    .update(JSON.stringify(data))
    .update(session)
    .digest('hex')
    .slice(0, 32);
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
      replicas: spec.replicas ?? 1,
      hash,
      pod: {
        containers: [
          {
            name: 'koji-web',
            image: spec.image ?? defaultImages.web,
            ports: [{ name: 'http', containerPort: webPort, protocol: 'TCP' }],
            volumeMounts: [
              { name: 'web-conf', mountPath: '/etc/kojiweb/web.conf', subPath: 'web.conf', readOnly: true },
              { name: 'session', mountPath: '/etc/kojiweb/web.conf.d', readOnly: true },
              clientMount,
              caMount,
            ],
            readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 10 },
          },
        ],
        volumes: [
          configMapVolume('web-conf', names.config, ['web.conf']),
          secretVolume('session', names.session, ['secret.conf']),
          clientVolume(spec.client_cert_secret),
          caVolume(spec.cacert_secret),
        ],
      },
    }),
    service(names.service, 'koji-web', name, [{ name: 'http', port: webPort }]),
  ];
  if (spec.host) {
    children.push(
      exposure({
        name: names.exposure,
        component: 'koji-web',
        host: spec.host,
        backend: spec.ingress_backend ?? 'nginx',
        serviceName: names.service,
        port: 'http',
        tls: 'edge',
      }),
    );
  }
  return { children, dropped: conf.dropped };
}
