// KojiHub -> the objects it owns: its ConfigMap (hub.conf, the httpd vhosts, the admin's
// koji.conf, fedora-messaging's config), the Deployment (httpd + hub, the admin sidecar when
// `sidecar: true`), the Service, the Ingress or Route for `host`, and the Job that loads
// koji's schema into an empty database. The PVCs are not children: see hub-claims.ts.
import { createHash } from 'node:crypto';
import type { KojiHub, KojiraSpec } from '../api/index.js';
import {
  httpdAliveText,
  hubPorts,
  kojiDir,
  renderClientConf,
  renderHubConf,
  renderHubHttpdConf,
  secretKeys,
} from '../config/index.js';
import { hubPaths, hubProbeUrlEnv } from '../images/contract.js';
import {
  containerSecurityContext,
  contractContainer,
  contractPod,
  initResources,
  mountFor,
} from './contract-pod.js';
import { podDisruptionBudget } from './disruption.js';
import { exposure } from './exposure.js';
import { defaultImages } from './images.js';
import {
  caVolume,
  configMapVolume,
  kojiMntDirs,
  kojiMntVolume,
  secretVolume,
  type Container,
  type EnvVar,
  type KeyToPath,
  type Volume,
} from './pod.js';
import type { Child } from './resources.js';
import { configMap, deployment, service, type ServicePort } from './workload.js';
import { postgresEnv, schemaJob } from './schema-job.js';
import type { SchemaJobSpec } from './schema-plan.js';
import { httpdAccessMode, hubClaimNames, hubIsPersistent } from './hub-claims.js';

export interface HubManifestInput {
  hub: KojiHub;
  /** Hash of the Secrets and ConfigMaps the pods read (see contentHash). */
  referencedHash: string;
  /** The `hub.conf` key of the user's `configmap`, if any. */
  override?: string | undefined;
  /** Every key of the user's `configmap`: hub.conf.d.<name>.conf and plugins.<name>.conf are mounted. */
  configMapKeys?: string[] | undefined;
  /** RFC 2253 subject DNs of kojiweb's client certificates, for ProxyDNs. */
  proxyDNs?: string[];
  /** The namespace's active Kojira: its repo-task limits are hub options since koji 1.35. */
  kojira?: KojiraSpec | undefined;
  /** CN of the admin certificate: made a Koji admin when the schema is loaded. */
  adminUser?: string | undefined;
  /**
   * The schema step (schema-plan.ts): the image the Deployment runs (the old one while an
   * upgrade runs) and the Job to apply; default: the spec's image and a load Job.
   */
  schema?: { servingImage: string; job?: SchemaJobSpec | undefined };
  webUrl?: string | undefined;
}

export interface RenderedChildren {
  children: Child[];
  /** Options of the user's ConfigMap that the component does not read (reported, not written). */
  dropped: string[];
}

/**
 * The admin identity the sidecar (and the operator's hub client) use: a client Secret (client.pem,
 * tls.crt, tls.key, ca.crt) named by `admin_cert_secret`, by default the one examples/gen-certs.sh makes.
 */
export const adminCertSecretName = (hub: KojiHub) => hub.spec?.admin_cert_secret ?? 'koji-admin-client-cert';

export function hubNames(hub: KojiHub) {
  const name = hub.metadata.name ?? '';
  return {
    deployment: name,
    service: name,
    exposure: name,
    aliasService: name === hubAliasService ? undefined : hubAliasService,
    config: `${name}-config`,
    httpdPvc: hubClaimNames(hub).httpd,
    mntPvc: hubClaimNames(hub).mnt,
    adminSecret: adminCertSecretName(hub),
  };
}

const messagingTls = hubPaths.messagingTlsDir;

/** Keys of the user's ConfigMap that land in /etc/koji-hub, and where. */
export function hubConfigDirItems(keys: readonly string[]): KeyToPath[] {
  const items: KeyToPath[] = [];
  for (const key of [...keys].sort()) {
    const dropIn = /^hub\.conf\.d\.(.+\.conf)$/.exec(key)?.[1];
    const plugin = /^plugins\.(.+\.conf)$/.exec(key)?.[1];
    if (dropIn) items.push({ key, path: `hub.conf.d/${dropIn}` });
    else if (plugin) items.push({ key, path: `plugins/${plugin}` });
  }
  return items;
}

// The projected /etc/koji-hub always has both directories, even before you add files to them.
const dirReadme = (dir: string, prefix: string) =>
  `Files here come from the KojiHub's ConfigMap (spec.configmap): key ${prefix}<name>.conf becomes ${dir}/<name>.conf.\n`;

/**
 * The Service name the proposal's Kojira, KojiBuilder and KojiWeb use for the hub (mbbox named
 * the hub's Service so); every KojiHub answers under it too, beside its own name.
 */
export const hubAliasService = 'koji-hub';

const serviceHost = (hub: KojiHub) => `${hub.metadata.name}.${hub.metadata.namespace}.svc`;

/** The in-cluster and external URLs of the hub's XML-RPC endpoint. */
export function hubUrls(hub: KojiHub): { hubUrl: string; externalUrl?: string } {
  const spec = hub.spec;
  const https = spec?.https_enabled ?? true;
  const scheme = https ? 'https' : 'http';
  const port = https ? hubPorts.https : hubPorts.http;
  return {
    hubUrl: `${scheme}://${serviceHost(hub)}:${port}/kojihub`,
    ...(spec?.host ? { externalUrl: `${scheme}://${spec.host}/kojihub` } : {}),
  };
}

/**
 * Where /kojifiles is served. In the cluster over plain HTTP when the hub serves it: mock in a
 * buildroot fetches repos from there and trusts no private CA (Fedora's kojipkgs is plain HTTP
 * too); externally (browsers, through kojiweb's links) at `host` when set.
 */
export function hubFilesUrls(hub: KojiHub): { inCluster: string; external?: string } {
  const spec = hub.spec;
  const http = spec?.http_enabled ?? false;
  const https = spec?.https_enabled ?? true;
  return {
    inCluster: http
      ? `http://${serviceHost(hub)}:${hubPorts.http}/kojifiles`
      : `https://${serviceHost(hub)}:${hubPorts.https}/kojifiles`,
    ...(spec?.host ? { external: `${https ? 'https' : 'http'}://${spec.host}/kojifiles` } : {}),
  };
}

function messagingToml(url: string, topicPrefix: string | undefined): string {
  const q = (s: string) => JSON.stringify(s);
  return [
    '# Generated by the Koji operator for the koji-fedoramessaging hub plugin.',
    `amqp_url = ${q(url)}`,
    ...(topicPrefix ? [`topic_prefix = ${q(topicPrefix)}`] : []),
    `publish_exchange = "amq.topic"`,
    '',
    '[tls]',
    `ca_cert = ${q(`${messagingTls}/ca_cert.pem`)}`,
    `certfile = ${q(`${messagingTls}/client_cert.pem`)}`,
    `keyfile = ${q(`${messagingTls}/client_key.pem`)}`,
    '',
    '[client_properties]',
    'app = "Koji"',
    '',
  ].join('\n');
}

export function hubManifests(input: HubManifestInput): RenderedChildren {
  const { hub } = input;
  const spec = hub.spec;
  if (!spec) throw new Error(`KojiHub ${hub.metadata.name} has no spec`);
  const name = hub.metadata.name ?? '';
  const names = hubNames(hub);
  const image = input.schema?.servingImage ?? spec.image ?? defaultImages.hub;
  const schemaStep: SchemaJobSpec | undefined = input.schema
    ? input.schema.job
    : { kind: 'load', image: spec.image ?? defaultImages.hub };
  const httpEnabled = spec.http_enabled ?? false;
  const httpsEnabled = spec.https_enabled ?? true;
  const persistent = hubIsPersistent(hub);
  const messaging = spec.fedora_messaging_url !== undefined && spec.fedora_messaging_url !== '';
  const serverName = spec.host || `${name}.${hub.metadata.namespace}.svc`;
  const replicas = spec.replicas ?? 1;

  const hubConf = renderHubConf({
    hub: spec,
    kojira: input.kojira,
    proxyDNs: input.proxyDNs ?? [],
    reachedThroughIngress: Boolean(spec.host),
    webUrl: input.webUrl,
    override: input.override,
  });
  const data: Record<string, string> = {
    'hub.conf': hubConf.text,
    'hub.conf.d.README': dirReadme('hub.conf.d', 'hub.conf.d.'),
    'plugins.README': dirReadme('plugins', 'plugins.'),
    'httpd.conf': renderHubHttpdConf({ hub: spec, serverName }),
    'alive.txt': httpdAliveText,
  };
  // The sidecar talks to the hub in its own pod; the hub's certificate carries localhost.
  if (spec.sidecar) {
    const files = hubFilesUrls(hub);
    data['koji.conf'] = renderClientConf({
      hubAddress: `localhost:${hubPorts.https}`,
      topurl: files.external ?? files.inCluster,
      ...(input.webUrl ? { webUrl: input.webUrl } : {}),
    });
  }
  if (messaging) {
    data['fedora-messaging.toml'] = messagingToml(spec.fedora_messaging_url ?? '', spec.topic_prefix);
    // The plugin reads kojiweb's KojiFilesURL from web.conf inside the hub.
    const files = hubFilesUrls(hub);
    data['web.conf'] = `[web]\nKojiFilesURL = ${files.external ?? files.inCluster}\n`;
  }

  // /etc/koji-hub: hub.conf, hub.conf.d/ and plugins/, from the operator's ConfigMap and yours.
  const userItems = hubConfigDirItems(input.configMapKeys ?? []);
  const hubConfVolume: Volume = {
    name: 'hub-conf',
    projected: {
      sources: [
        {
          configMap: {
            name: names.config,
            items: [
              { key: 'hub.conf', path: 'hub.conf' },
              { key: 'hub.conf.d.README', path: 'hub.conf.d/README' },
              { key: 'plugins.README', path: 'plugins/README' },
            ],
          },
        },
        ...(spec.configmap && userItems.length
          ? [{ configMap: { name: spec.configmap, items: userItems } }]
          : []),
      ],
    },
  };
  const volumes: Volume[] = [
    { name: 'httpd-conf', configMap: { name: names.config, items: fileItems(['httpd.conf', 'alive.txt']) } },
    hubConfVolume,
    caVolume(spec.ca_cert_secret),
    secretVolume('service', spec.service_cert_secret, [secretKeys.tlsCert, secretKeys.tlsKey]),
    kojiMntVolume(persistent ? names.mntPvc : undefined),
    persistent
      ? { name: 'httpd-state', persistentVolumeClaim: { claimName: names.httpdPvc } }
      : { name: 'httpd-state', emptyDir: {} },
    { name: 'httpd-run', emptyDir: {} },
    { name: 'tmp', emptyDir: {} },
  ];
  const mount = (volume: string) => mountFor('koji-hub', volume);
  const hubMounts = [
    'httpd-conf',
    'hub-conf',
    'ca',
    'service',
    'koji-mnt',
    'httpd-state',
    'httpd-run',
    'tmp',
  ].map(mount);
  const probePort = httpsEnabled ? 'https' : 'http';
  const env: EnvVar[] = [
    ...postgresEnv(spec.postgres_secret),
    {
      name: hubProbeUrlEnv,
      value: `${probePort}://localhost:${hubPorts[probePort]}/kojihub`,
    },
  ];
  if (messaging) {
    volumes.push(
      {
        name: 'messaging-conf',
        configMap: { name: names.config, items: [{ key: 'fedora-messaging.toml', path: 'config.toml' }] },
      },
      { name: 'messaging-web-conf', configMap: { name: names.config, items: fileItems(['web.conf']) } },
    );
    hubMounts.push(mount('messaging-conf'), mount('messaging-web-conf'));
    env.push({ name: 'FEDORA_MESSAGING_CONF', value: hubPaths.messagingConfig });
    // The broker's key is a secret: the Secret is preferred; the proposal's ConfigMap still works.
    const tls: Volume | undefined = spec.messaging_cert_secret
      ? secretVolume('messaging-tls', spec.messaging_cert_secret, messagingTlsKeys)
      : spec.messaging_cert_cm
        ? // Whole: a ConfigMap that lacks a listed key would fail the pod's mount.
          configMapVolume('messaging-tls', spec.messaging_cert_cm)
        : undefined;
    if (tls) {
      volumes.push(tls);
      hubMounts.push(mount('messaging-tls'));
    }
  }

  const ports: ServicePort[] = [
    ...(httpEnabled ? [{ name: 'http', port: hubPorts.http }] : []),
    ...(httpsEnabled ? [{ name: 'https', port: hubPorts.https }] : []),
  ];
  const containers: Container[] = [
    {
      name: 'koji-hub',
      image,
      env,
      ports: ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
      volumeMounts: hubMounts,
      ...contractContainer('koji-hub', spec, probePort),
    },
  ];
  if (spec.sidecar) {
    volumes.push(
      secretVolume('admin-client', names.adminSecret, [secretKeys.clientPem]),
      configMapVolume('admin-conf', names.config, ['koji.conf']),
      { name: 'admin-tmp', emptyDir: {} },
    );
    containers.push({
      name: 'koji-admin',
      image: spec.sidecar_image ?? defaultImages.cli,
      // Idle: `kubectl koji <cmd>` execs `koji <cmd>` in it, as the admin.
      ...contractContainer('koji-cli', {}),
      volumeMounts: [
        mountFor('koji-cli', 'admin-conf'),
        mountFor('koji-cli', 'admin-client'),
        mountFor('koji-cli', 'ca'),
        mountFor('koji-cli', 'tmp', 'admin-tmp'),
      ],
    });
  }

  const hash = createHash('sha256')
    .update(input.referencedHash)
    .update(JSON.stringify(Object.entries(data).sort()))
    .digest('hex')
    .slice(0, 32);

  const layoutScript = `mkdir -p ${kojiMntDirs.map((d) => `${kojiDir}/${d}`).join(' ')} || {
  echo "${kojiDir} is not writable by uid $(id -u) gid $(id -g): give the volume to that group (fsGroup) or make it group-writable" >&2
  exit 1
}`;
  const children: Child[] = [
    configMap(names.config, 'koji-hub', name, data),
    deployment({
      name: names.deployment,
      component: 'koji-hub',
      replicas,
      hash,
      // A ReadWriteOnce httpd volume cannot be held by the old and the new pod at once.
      recreate: persistent && httpdAccessMode(hub) === 'ReadWriteOnce',
      pod: {
        ...contractPod('koji-hub', spec),
        initContainers: [
          {
            name: 'koji-mnt-layout',
            image,
            command: ['/bin/sh', '-c', layoutScript],
            volumeMounts: [mount('koji-mnt')],
            securityContext: containerSecurityContext('koji-hub'),
            resources: initResources,
          },
        ],
        containers,
        volumes,
      },
    }),
    service(names.service, 'koji-hub', name, ports),
    // The same pods under the proposal's name; the controller leaves a Service of that name
    // that is not the hub's alone.
    ...(names.aliasService ? [service(names.aliasService, 'koji-hub', name, ports)] : []),
    ...(schemaStep ? [schemaJob(name, schemaStep, spec.postgres_secret, input.adminUser)] : []),
  ];
  if (replicas > 1) children.push(podDisruptionBudget(names.deployment, 'koji-hub', name));
  if (spec.host) {
    children.push(
      exposure({
        name: names.exposure,
        component: 'koji-hub',
        host: spec.host,
        backend: spec.ingress_backend ?? 'nginx',
        serviceName: names.service,
        port: httpsEnabled ? 'https' : 'http',
        // The hub checks client certificates itself: the proxy must pass TLS through.
        tls: httpsEnabled ? 'passthrough' : 'none',
      }),
    );
  }
  return { children, dropped: hubConf.dropped };
}

const messagingTlsKeys = ['ca_cert.pem', 'client_cert.pem', 'client_key.pem'];

/** Items that keep each key's name as its file name. */
const fileItems = (keys: string[]): KeyToPath[] => keys.map((key) => ({ key, path: key }));
