// The image contract: what each image of images/ provides and what the pods the operator
// renders may rely on. Written once, here: the renderers (config/, manifests/) import it, a
// unit test checks every Containerfile against it, and the locally built stand-in images of
// the real-node tests follow it. images/README.md says the same for people.
//
// Shape rule: fields are added, never renamed or removed (other code builds images from it).
//
// How it fails: it does not; it is data. A Containerfile that drifts from it fails
// images/containerfiles.test.ts; a pod spec that drifts fails manifests/contract.test.ts.

/** The one koji version every koji image installs (Fedora's own packages, >= 1.35). */
export const kojiVersion = '1.36.1';
/** Bumped when an image changes without a koji version change. */
export const imageBuild = 1;
/** The Fedora release whose packages the images install. */
export const fedoraRelease = 43;
/** koji-fedoramessaging (the hub plugin); no Fedora package ships it, so its release archive is pinned. */
export const kojiFedoraMessagingVersion = '1.1.2';
/** Where the workflow pushes the images; the operator's defaults point here. */
export const imageRegistry = 'quay.io/koji-operator';
/** `<koji version>-<build>`, never `latest`. */
export const imageTag = `${kojiVersion}-${imageBuild}`;

export type ImageName = 'koji-hub' | 'koji-web' | 'kojira' | 'kojid' | 'koji-cli' | 'koji-operator';

export interface ImageUser {
  /** The account the image creates (or Fedora's own, e.g. apache). */
  name: string;
  uid: number;
  /** Primary group; pods set it as runAsGroup and fsGroup, so mounted Secrets are readable by it. */
  group: string;
  gid: number;
}

export interface ImagePort {
  name: 'http' | 'https' | 'metrics';
  port: number;
}

/** A file the process reads. `from` says who provides it. */
export interface ImageFile {
  path: string;
  from: 'configMap' | 'secret' | 'image';
  /** Only read when the feature that needs it is on (e.g. messaging, web TLS). */
  optional?: boolean;
  about: string;
}

/** A path the pod mounts a volume at. Everything outside `writable` volumes is read-only. */
export interface ImageVolume {
  /** The volume's name in rendered pod specs. */
  name: string;
  path: string;
  kind: 'configMap' | 'secret' | 'emptyDir' | 'persistentVolumeClaim';
  writable: boolean;
  /** Mounted as one file (subPath) instead of a directory. */
  file?: boolean;
  optional?: boolean;
  about: string;
}

/**
 * A probe the image supports. `exec` runs in the container; `httpGet` asks one of the image's
 * ports (the pod picks http or https by what it serves).
 */
export interface ImageProbe {
  exec?: string[];
  httpGet?: { path: string };
  about: string;
}

export interface ImageContract {
  name: ImageName;
  /** `<registry>/<name>`. */
  repository: string;
  tag: string;
  /** `<repository>:<tag>`: the operator's default for this component. */
  reference: string;
  /** Relative to the repository root. */
  containerfile: string;
  /** The build context, relative to the repository root. */
  buildContext: string;
  /** Every build argument; the Containerfile declares each as an ARG without a default. */
  buildArgs: Record<string, string>;
  /** Fedora packages the Containerfile installs, by name (each at kojiVersion when it is koji's). */
  packages: string[];
  user: ImageUser;
  /** Needs a privileged container as root (mock: chroots, mounts, namespaces). */
  privileged: boolean;
  /** Runs with a read-only root filesystem; every path it writes is a writable volume. */
  readOnlyRootFilesystem: boolean;
  ports: ImagePort[];
  command: string[];
  args: string[];
  /** Every config file it reads. */
  configFiles: ImageFile[];
  /** Every certificate and key it reads. */
  certificateFiles: ImageFile[];
  volumes: ImageVolume[];
  /** Directories the image creates, owned by `user`, so they exist before anything is mounted. */
  directories: string[];
  /** What the kubelet may ask it; the pod spec uses exactly these. */
  probes: { readiness?: ImageProbe; liveness?: ImageProbe };
}

// ---- Paths shared by several images -------------------------------------------------------

export const kojiDir = '/mnt/koji';
/** Where each kind of certificate Secret is mounted. */
export const pkiDirs = {
  ca: '/etc/koji-pki/ca',
  client: '/etc/koji-pki/client',
  service: '/etc/koji-pki/service',
} as const;
export const pkiFiles = {
  caCert: `${pkiDirs.ca}/ca.crt`,
  clientPem: `${pkiDirs.client}/client.pem`,
  serviceCert: `${pkiDirs.service}/tls.crt`,
  serviceKey: `${pkiDirs.service}/tls.key`,
} as const;

/** httpd as both httpd images run it: the full config is rendered by the operator. */
export const httpd = {
  serverRoot: '/etc/httpd',
  configDir: '/etc/httpd/conf',
  config: '/etc/httpd/conf/httpd.conf',
  /** Modules load as `modules/mod_x.so` under serverRoot (Fedora's symlink to its module dir). */
  modulesDir: 'modules',
  /** Pid file, mutexes, the mod_wsgi sockets and mod_ssl's session cache. */
  runDir: '/run/httpd',
  stateDir: '/var/lib/httpd',
  /** A static file httpd serves for the liveness probe, next to the config. */
  aliveFile: '/etc/httpd/conf/alive.txt',
  alivePath: '/httpd-alive',
  /** `LoadModule <name> modules/<file>`: every module the rendered httpd.conf loads. */
  modules: {
    mpm_prefork_module: 'mod_mpm_prefork.so',
    unixd_module: 'mod_unixd.so',
    authz_core_module: 'mod_authz_core.so',
    mime_module: 'mod_mime.so',
    alias_module: 'mod_alias.so',
    dir_module: 'mod_dir.so',
    autoindex_module: 'mod_autoindex.so',
    log_config_module: 'mod_log_config.so',
    socache_shmcb_module: 'mod_socache_shmcb.so',
    ssl_module: 'mod_ssl.so',
    wsgi_module: 'mod_wsgi_python3.so',
    // SetEnv: where koji's apps read their config paths from.
    env_module: 'mod_env.so',
  },
  mimeTypes: '/etc/mime.types',
} as const;

/** The environment variable the hub's readiness probe reads its own XML-RPC URL from. */
export const hubProbeUrlEnv = 'KOJI_HUB_PROBE_URL';

// getAPIVersion is a POST (XML-RPC), so an exec probe, in the image's own Python: a hub whose
// database is empty or unreachable answers HTTP 200 with a fault (1014), which raises here.
// The server certificate must chain to the mounted CA; its name is the Service's, not
// localhost, so the host name is not checked.
const hubReadinessScript = [
  'import os, ssl, sys, xmlrpc.client',
  `ctx = ssl.create_default_context(cafile='${pkiFiles.caCert}')`,
  'ctx.check_hostname = False',
  `url = os.environ['${hubProbeUrlEnv}']`,
  "kw = {'context': ctx} if url.startswith('https:') else {}",
  'sys.exit(0 if xmlrpc.client.ServerProxy(url, **kw).getAPIVersion() == 1 else 1)',
].join('\n');

// koji's daemons have no health endpoint. The container's PID 1 is the daemon itself; this
// fails when it is stopped or a zombie (a hung koji loop is seen from the hub, not here).
const daemonAlive = (daemon: string): ImageProbe => ({
  exec: [
    '/bin/sh',
    '-c',
    `read -r _ comm state _ < /proc/1/stat && [ "$comm" = "(${daemon})" ] && [ "$state" != Z ] && [ "$state" != T ]`,
  ],
  about: `PID 1 is ${daemon}, neither stopped nor a zombie`,
});

/** Unprivileged ports, so httpd runs as non-root. */
export const httpPorts = { http: 8080, https: 8443 } as const;

export const hubPaths = {
  configDir: '/etc/koji-hub',
  config: '/etc/koji-hub/hub.conf',
  configDropIns: '/etc/koji-hub/hub.conf.d',
  pluginConfigDir: '/etc/koji-hub/plugins',
  pluginPath: '/usr/lib/koji-hub-plugins',
  /** The WSGI entry of koji-hub, as Fedora's koji-hub package installs it. */
  app: '/usr/share/koji-hub/kojiapp.py',
  /** koji's schema, loaded by the schema Job. */
  schema: '/usr/share/koji/schema.sql',
  messagingDir: '/etc/fedora-messaging',
  messagingConfig: '/etc/fedora-messaging/config.toml',
  messagingTlsDir: '/etc/fedora-messaging/tls',
  messagingCaCert: '/etc/fedora-messaging/tls/ca_cert.pem',
  messagingClientCert: '/etc/fedora-messaging/tls/client_cert.pem',
  messagingClientKey: '/etc/fedora-messaging/tls/client_key.pem',
  /** The messaging plugin reads KojiFilesURL from kojiweb's config inside the hub. */
  webConfigForPlugin: '/etc/kojiweb/web.conf',
} as const;

export const webPaths = {
  config: '/etc/kojiweb/web.conf',
  configDropIns: '/etc/kojiweb/web.conf.d',
  /** kojiweb's WSGI publisher and static files, as Fedora's koji-web package installs them. */
  app: '/usr/share/koji-web/scripts/wsgi_publisher.py',
  appDir: '/usr/share/koji-web/scripts',
  staticDir: '/usr/share/koji-web/static',
} as const;

export const kojiraPaths = { configDir: '/etc/kojira', config: '/etc/kojira/kojira.conf' } as const;

export const kojidPaths = {
  configDir: '/etc/kojid',
  config: '/etc/kojid/kojid.conf',
  workdir: '/var/tmp/koji',
  mockDir: '/var/lib/mock',
  mockCache: '/var/cache/mock',
  mockSiteDefaults: '/etc/mock/site-defaults.cfg',
  /**
   * Fedora's CA trust, which mock copies into its bootstrap chroot and every buildroot
   * (mock >= 6.2 `ssl_copied_ca_trust_dirs`). The hub's CA is an anchor in it, and the
   * extracted bundles are made at pod start by `update-ca-trust extract` (init container).
   */
  caTrust: '/etc/pki/ca-trust',
  caTrustExtracted: '/etc/pki/ca-trust/extracted',
  hubCaAnchor: '/etc/pki/ca-trust/source/anchors/koji-hub-ca.crt',
  /** Fedora's ca-certificates tool that rebuilds the extracted bundles from the anchors. */
  updateCaTrust: '/usr/bin/update-ca-trust',
  /** Every replica's certificate; an init container copies the pod's own to pkiFiles.clientPem. */
  allClientCerts: '/etc/koji-pki/client-all',
} as const;

export const cliPaths = { config: '/etc/koji.conf' } as const;

// ---- The images ----------------------------------------------------------------------------

const ref = (name: ImageName, extraArgs: Record<string, string> = {}) => ({
  repository: `${imageRegistry}/${name}`,
  tag: imageTag,
  reference: `${imageRegistry}/${name}:${imageTag}`,
  containerfile: `images/${name}/Containerfile`,
  buildContext: `images/${name}`,
  buildArgs: { FEDORA_RELEASE: String(fedoraRelease), KOJI_VERSION: kojiVersion, ...extraArgs },
});

// apache is uid/gid 48 on Fedora (setup's uidgid list). The hub writes /mnt/koji as apache
// and kojira deletes what the hub wrote, so kojira runs as the same uid.
const apache: ImageUser = { name: 'apache', uid: 48, group: 'apache', gid: 48 };

const caFile: ImageFile = {
  path: pkiFiles.caCert,
  from: 'secret',
  about: 'the CA of koji-hub and of client certificates',
};
const clientFile: ImageFile = {
  path: pkiFiles.clientPem,
  from: 'secret',
  about: 'client certificate and key in one PEM; its CN is the koji user',
};
const caVolume: ImageVolume = {
  name: 'ca',
  path: pkiDirs.ca,
  kind: 'secret',
  writable: false,
  about: 'ca.crt',
};
const clientVolume: ImageVolume = {
  name: 'client',
  path: pkiDirs.client,
  kind: 'secret',
  writable: false,
  about: 'client.pem',
};
const tmpVolume: ImageVolume = {
  name: 'tmp',
  path: '/tmp',
  kind: 'emptyDir',
  writable: true,
  about: 'scratch files',
};
const httpdRunVolume: ImageVolume = {
  name: 'httpd-run',
  path: httpd.runDir,
  kind: 'emptyDir',
  writable: true,
  about: 'pid file, mutexes, mod_wsgi sockets, TLS session cache',
};
const httpdConfVolume: ImageVolume = {
  name: 'httpd-conf',
  path: httpd.configDir,
  kind: 'configMap',
  writable: false,
  about: 'httpd.conf and alive.txt, rendered by the operator',
};
const httpdCommand = ['httpd', '-DFOREGROUND', '-d', httpd.serverRoot, '-f', httpd.config];
const httpdConfigFiles: ImageFile[] = [
  { path: httpd.config, from: 'configMap', about: 'the whole httpd configuration' },
  { path: httpd.aliveFile, from: 'configMap', about: 'served at /httpd-alive for the liveness probe' },
  { path: httpd.mimeTypes, from: 'image', about: 'media types for static files' },
];
const httpdPackages = ['httpd', 'mod_ssl', 'python3-mod_wsgi'];
/** What koji-hub and koji-web share: httpd as apache, non-root, on unprivileged ports. */
const httpdImage = {
  user: apache,
  privileged: false,
  readOnlyRootFilesystem: true,
  ports: [
    { name: 'http', port: httpPorts.http },
    { name: 'https', port: httpPorts.https },
  ],
  command: httpdCommand,
  args: [],
} satisfies Partial<ImageContract>;

const hub: ImageContract = {
  name: 'koji-hub',
  ...ref('koji-hub', { KOJI_FEDORAMESSAGING_VERSION: kojiFedoraMessagingVersion }),
  packages: [
    ...httpdPackages,
    'koji-hub',
    'koji-hub-plugins',
    'python3-fedora-messaging',
    'python3-koji-fedoramessaging-messages',
    // psql, for the schema Job, which runs in this image.
    'postgresql',
  ],
  ...httpdImage,
  configFiles: [
    ...httpdConfigFiles,
    { path: hubPaths.config, from: 'configMap', about: 'hub.conf' },
    {
      path: `${hubPaths.configDropIns}/`,
      from: 'configMap',
      about: 'hub.conf drop-ins from your ConfigMap (hub.conf.d.<name>.conf)',
    },
    {
      path: `${hubPaths.pluginConfigDir}/`,
      from: 'configMap',
      about: 'hub plugin configs from your ConfigMap (plugins.<name>.conf)',
    },
    {
      path: hubPaths.messagingConfig,
      from: 'configMap',
      optional: true,
      about: 'fedora-messaging config (FEDORA_MESSAGING_CONF)',
    },
    {
      path: hubPaths.webConfigForPlugin,
      from: 'configMap',
      optional: true,
      about: 'KojiFilesURL for the messaging plugin',
    },
  ],
  certificateFiles: [
    { path: pkiFiles.serviceCert, from: 'secret', about: "koji-hub's TLS server certificate" },
    { path: pkiFiles.serviceKey, from: 'secret', about: "koji-hub's TLS server key" },
    caFile,
    { path: hubPaths.messagingCaCert, from: 'secret', optional: true, about: "the broker's CA" },
    {
      path: hubPaths.messagingClientCert,
      from: 'secret',
      optional: true,
      about: 'client certificate for the broker',
    },
    { path: hubPaths.messagingClientKey, from: 'secret', optional: true, about: 'client key for the broker' },
  ],
  volumes: [
    httpdConfVolume,
    {
      name: 'hub-conf',
      path: hubPaths.configDir,
      kind: 'configMap',
      writable: false,
      about: 'hub.conf, hub.conf.d/, plugins/',
    },
    caVolume,
    { name: 'service', path: pkiDirs.service, kind: 'secret', writable: false, about: 'tls.crt, tls.key' },
    {
      name: 'koji-mnt',
      path: kojiDir,
      kind: 'persistentVolumeClaim',
      writable: true,
      about: 'koji files, shared ReadWriteMany',
    },
    {
      name: 'httpd-state',
      path: httpd.stateDir,
      kind: 'persistentVolumeClaim',
      writable: true,
      about: "httpd's state (httpd_pvc)",
    },
    httpdRunVolume,
    tmpVolume,
    {
      name: 'messaging-conf',
      path: hubPaths.messagingConfig,
      kind: 'configMap',
      writable: false,
      file: true,
      optional: true,
      about: 'fedora-messaging config',
    },
    {
      name: 'messaging-web-conf',
      path: hubPaths.webConfigForPlugin,
      kind: 'configMap',
      writable: false,
      file: true,
      optional: true,
      about: 'web.conf with KojiFilesURL',
    },
    {
      name: 'messaging-tls',
      path: hubPaths.messagingTlsDir,
      kind: 'secret',
      writable: false,
      optional: true,
      about: 'ca_cert.pem, client_cert.pem, client_key.pem',
    },
  ],
  directories: [hubPaths.configDir, httpd.runDir, httpd.stateDir, kojiDir, hubPaths.messagingDir],
  probes: {
    readiness: {
      exec: ['python3', '-c', hubReadinessScript],
      about: `getAPIVersion() over XML-RPC at $${hubProbeUrlEnv}`,
    },
    liveness: { httpGet: { path: httpd.alivePath }, about: 'httpd serves a static file' },
  },
};

const web: ImageContract = {
  name: 'koji-web',
  ...ref('koji-web'),
  packages: [...httpdPackages, 'koji-web'],
  ...httpdImage,
  configFiles: [
    ...httpdConfigFiles,
    { path: webPaths.config, from: 'configMap', about: 'web.conf' },
    { path: `${webPaths.configDropIns}/secret.conf`, from: 'secret', about: "kojiweb's session Secret" },
  ],
  certificateFiles: [
    clientFile,
    caFile,
    {
      path: pkiFiles.serviceCert,
      from: 'secret',
      optional: true,
      about: "kojiweb's TLS server certificate (HTTPS login)",
    },
    { path: pkiFiles.serviceKey, from: 'secret', optional: true, about: "kojiweb's TLS server key" },
  ],
  volumes: [
    httpdConfVolume,
    {
      name: 'web-conf',
      path: webPaths.config,
      kind: 'configMap',
      writable: false,
      file: true,
      about: 'web.conf',
    },
    { name: 'session', path: webPaths.configDropIns, kind: 'secret', writable: false, about: 'secret.conf' },
    clientVolume,
    caVolume,
    {
      name: 'service',
      path: pkiDirs.service,
      kind: 'secret',
      writable: false,
      optional: true,
      about: 'tls.crt, tls.key',
    },
    httpdRunVolume,
    tmpVolume,
  ],
  directories: [httpd.runDir, webPaths.configDropIns],
  probes: {
    readiness: { httpGet: { path: '/koji/' }, about: "kojiweb's front page (it asks the hub)" },
    liveness: { httpGet: { path: httpd.alivePath }, about: 'httpd serves a static file' },
  },
};

const kojira: ImageContract = {
  name: 'kojira',
  ...ref('kojira'),
  packages: ['koji-utils'],
  user: { name: 'kojira', uid: apache.uid, group: 'kojira', gid: apache.gid },
  privileged: false,
  readOnlyRootFilesystem: true,
  ports: [],
  // --fg: the container's process; --force-lock: take the exclusive session from a kojira
  // pod that died without logging out.
  command: ['kojira'],
  args: ['--fg', '--force-lock', '--config', kojiraPaths.config],
  configFiles: [{ path: kojiraPaths.config, from: 'configMap', about: 'kojira.conf' }],
  certificateFiles: [clientFile, caFile],
  volumes: [
    {
      name: 'kojira-conf',
      path: kojiraPaths.configDir,
      kind: 'configMap',
      writable: false,
      about: 'kojira.conf',
    },
    clientVolume,
    caVolume,
    { name: 'koji-mnt', path: kojiDir, kind: 'persistentVolumeClaim', writable: true, about: 'koji files' },
    {
      name: 'logs',
      path: '/var/log',
      kind: 'emptyDir',
      writable: true,
      about: 'kojira.log (default logfile)',
    },
    tmpVolume,
  ],
  directories: [kojiraPaths.configDir, kojiDir],
  probes: { liveness: daemonAlive('kojira') },
};

const kojid: ImageContract = {
  name: 'kojid',
  ...ref('kojid'),
  // ca-certificates: update-ca-trust, which puts the hub's CA into the trust mock copies.
  packages: ['koji-builder', 'koji-builder-plugins', 'mock', 'createrepo_c', 'ca-certificates'],
  // mock needs root and a privileged container: chroots, bind mounts, namespaces.
  user: { name: 'root', uid: 0, group: 'root', gid: 0 },
  privileged: true,
  readOnlyRootFilesystem: false,
  ports: [],
  command: ['kojid'],
  args: ['--fg', '--force-lock', '--verbose', '--config', kojidPaths.config],
  configFiles: [
    { path: kojidPaths.config, from: 'configMap', about: 'kojid.conf' },
    {
      path: kojidPaths.mockSiteDefaults,
      from: 'configMap',
      about: "mock's site-defaults.cfg: the operator's (the hub's CA into the chroots) or the user's",
    },
  ],
  certificateFiles: [
    { ...clientFile, about: "this replica's certificate, copied by the select-identity init container" },
    caFile,
    {
      path: kojidPaths.hubCaAnchor,
      from: 'secret',
      about: "the hub's CA as a trust anchor: kojid's and mock's downloads from topurl trust it",
    },
  ],
  volumes: [
    {
      name: 'kojid-conf',
      path: kojidPaths.configDir,
      kind: 'configMap',
      writable: false,
      about: 'kojid.conf',
    },
    {
      name: 'client-all',
      path: kojidPaths.allClientCerts,
      kind: 'secret',
      writable: false,
      about: '<pod>.pem per replica',
    },
    {
      name: 'client',
      path: pkiDirs.client,
      kind: 'emptyDir',
      writable: false,
      about: "this replica's client.pem",
    },
    caVolume,
    // Builders read /mnt/koji; results go back through the hub.
    { name: 'koji-mnt', path: kojiDir, kind: 'persistentVolumeClaim', writable: false, about: 'koji files' },
    { name: 'workdir', path: kojidPaths.workdir, kind: 'emptyDir', writable: true, about: "kojid's workdir" },
    {
      name: 'mock',
      path: kojidPaths.mockDir,
      kind: 'emptyDir',
      writable: true,
      about: 'mock chroots (sizeLimit)',
    },
    {
      name: 'mock-cache',
      path: kojidPaths.mockCache,
      kind: 'emptyDir',
      writable: true,
      about: "mock's caches",
    },
    {
      name: 'mock-site-defaults',
      path: kojidPaths.mockSiteDefaults,
      kind: 'configMap',
      writable: false,
      file: true,
      about: 'site-defaults.cfg',
    },
    {
      name: 'hub-ca-anchor',
      path: kojidPaths.hubCaAnchor,
      kind: 'secret',
      writable: false,
      file: true,
      about: "the CA Secret's ca.crt as a trust anchor",
    },
    {
      name: 'ca-trust-extracted',
      path: kojidPaths.caTrustExtracted,
      kind: 'emptyDir',
      // Written by the trust-hub-ca init container only.
      writable: false,
      about: 'the trust bundles with the hub CA (update-ca-trust extract)',
    },
    {
      name: 'logs',
      path: '/var/log',
      kind: 'emptyDir',
      writable: true,
      about: 'kojid.log (default logfile)',
    },
  ],
  directories: [kojidPaths.configDir, kojidPaths.workdir, kojidPaths.mockDir, kojidPaths.mockCache, kojiDir],
  probes: { liveness: daemonAlive('kojid') },
};

const cli: ImageContract = {
  name: 'koji-cli',
  ...ref('koji-cli'),
  packages: ['koji', 'python3-koji-cli-plugins'],
  user: { name: 'koji', uid: 1000, group: 'koji', gid: 1000 },
  privileged: false,
  readOnlyRootFilesystem: true,
  ports: [],
  // Idle: `kubectl koji <cmd>` execs `koji <cmd>` in it.
  command: ['sleep'],
  args: ['infinity'],
  configFiles: [{ path: cliPaths.config, from: 'configMap', about: "the admin's koji.conf" }],
  certificateFiles: [{ ...clientFile, about: "the Koji admin's certificate and key" }, caFile],
  volumes: [
    {
      name: 'admin-conf',
      path: cliPaths.config,
      kind: 'configMap',
      writable: false,
      file: true,
      about: 'koji.conf',
    },
    { ...clientVolume, name: 'admin-client' },
    caVolume,
    tmpVolume,
  ],
  directories: ['/home/koji'],
  probes: {},
};

const operator: ImageContract = {
  name: 'koji-operator',
  ...ref('koji-operator'),
  // The operator is built from the repository's own sources, not from koji's packages.
  buildContext: '.',
  buildArgs: { FEDORA_RELEASE: String(fedoraRelease) },
  packages: ['nodejs'],
  user: { name: 'koji-operator', uid: 65532, group: 'koji-operator', gid: 65532 },
  privileged: false,
  readOnlyRootFilesystem: true,
  ports: [{ name: 'metrics', port: 8080 }],
  // The koji-operator command: its --image flags, then the framework's `run` of dist/main.js.
  command: ['node', 'packages/koji-operator/dist/cli.js'],
  args: [],
  configFiles: [],
  certificateFiles: [],
  volumes: [],
  directories: [],
  probes: {
    readiness: { httpGet: { path: '/readyz' }, about: 'the operator runs its controllers' },
    liveness: { httpGet: { path: '/healthz' }, about: 'the operator process answers' },
  },
};

export const images: Readonly<Record<ImageName, ImageContract>> = {
  'koji-hub': hub,
  'koji-web': web,
  kojira,
  kojid,
  'koji-cli': cli,
  'koji-operator': operator,
};

export const imageNames = Object.keys(images) as ImageName[];

/**
 * The environment variable that overrides an image's default for the whole operator, named as
 * OLM's disconnected-install convention has it (RELATED_IMAGE_KOJI_HUB, ...).
 */
export const relatedImageEnv = (name: ImageName) => `RELATED_IMAGE_${name.toUpperCase().replace(/-/g, '_')}`;

/** Packages built from koji's own source: installed at exactly kojiVersion. */
export const isKojiPackage = (pkg: string) =>
  /^(koji|python3-koji)(-|$)/.test(pkg) && pkg !== 'python3-koji-fedoramessaging-messages';

/** The contract's volume of that name; throws for a name the image does not declare. */
export function contractVolume(image: ImageName, volume: string): ImageVolume {
  const found = images[image].volumes.find((v) => v.name === volume);
  if (!found) throw new Error(`image ${image} declares no volume ${volume}`);
  return found;
}
