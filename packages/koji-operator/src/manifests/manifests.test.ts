// The objects each CR renders to, checked on what users and the `kubectl koji` plugin rely on:
// names, labels, containers, mounts, ports, storage and exposure.
import type { KojiBuilder, KojiHub, KojiHubSpec, KojiWeb, Kojira } from '../api/index.js';
import {
  builderPodNames,
  builderManifests,
  claimAction,
  configHashAnnotation,
  contentHash,
  defaultImages,
  hubClaims,
  hubManifests,
  hubUrls,
  kojiraManifests,
  webManifests,
  type Child,
} from './index.js';

const hub = (spec: Partial<KojiHubSpec> = {}): KojiHub => ({
  metadata: { name: 'mb-koji-hub', namespace: 'koji' },
  spec: {
    ca_cert_secret: 'koji-hub-ca-cert',
    service_cert_secret: 'koji-hub-service-cert',
    postgres_secret: 'postgres',
    ...spec,
  },
});

type Container = {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: unknown[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
};
type Pod = { initContainers?: Container[]; containers: Container[]; volumes: Record<string, unknown>[] };
type Workload = {
  replicas?: number;
  strategy?: { type: string };
  serviceName?: string;
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: Pod };
};

const find = (children: Child[], kind: string, name?: string) => {
  const found = children.find(
    (c) => c.object.kind === kind && (name === undefined || c.object.metadata.name === name),
  );
  if (!found)
    throw new Error(
      `no ${kind} ${name ?? ''} in ${children.map((c) => `${c.object.kind}/${c.object.metadata.name}`).join(', ')}`,
    );
  return found.object;
};
const ids = (children: Child[]) => children.map((c) => `${c.object.kind}/${c.object.metadata.name}`).sort();
const workload = (children: Child[], kind = 'Deployment') => find(children, kind).spec as Workload;
const container = (children: Child[], name: string, kind = 'Deployment') => {
  const c = workload(children, kind).template.spec.containers.find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
};
const render = (spec: Partial<KojiHubSpec> = {}, hash = 'h') =>
  hubManifests({ hub: hub(spec), referencedHash: hash }).children;

describe('KojiHub', () => {
  test('a minimal hub owns a ConfigMap, a Deployment, its Service and the koji-hub alias, and the schema Job', () => {
    expect(ids(render())).toEqual([
      'ConfigMap/mb-koji-hub-config',
      'Deployment/mb-koji-hub',
      'Job/mb-koji-hub-db-schema',
      'Service/koji-hub',
      'Service/mb-koji-hub',
    ]);
    const [own, alias] = ['mb-koji-hub', 'koji-hub'].map((n) => find(render(), 'Service', n).spec);
    // The alias selects the same pods on the same ports.
    expect(alias).toEqual(own);
  });

  test("the hub's files and kojiweb's URL reach hub.conf and the admin's koji.conf", () => {
    const { children } = hubManifests({
      hub: hub({ sidecar: true, http_enabled: true, host: 'koji.example.com' }),
      referencedHash: 'h',
      webUrl: 'https://web.example.com/koji',
    });
    const data = find(children, 'ConfigMap').data as Record<string, string>;
    expect(data['hub.conf']).toContain('KojiWebURL = https://web.example.com/koji');
    expect(data['koji.conf']).toContain('weburl = https://web.example.com/koji');
    expect(data['koji.conf']).toContain('topurl = https://koji.example.com/kojifiles');
  });

  test('a hub named koji-hub needs no alias', () => {
    const named = hubManifests({
      hub: { ...hub(), metadata: { name: 'koji-hub', namespace: 'koji' } },
      referencedHash: 'h',
    });
    expect(ids(named.children).filter((id) => id.startsWith('Service/'))).toEqual(['Service/koji-hub']);
  });

  test('pods carry the labels `kubectl koji` selects on, and the Deployment selects by name and instance', () => {
    const d = workload(render());
    expect(d.template.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'koji-hub',
      'app.kubernetes.io/instance': 'mb-koji-hub',
      'app.kubernetes.io/managed-by': 'koji-operator',
      'app.kubernetes.io/part-of': 'koji',
    });
    expect(d.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'koji-hub',
      'app.kubernetes.io/instance': 'mb-koji-hub',
    });
  });

  test('the schema Job pod does not carry the hub selector, so neither the Service nor the plugin picks it', () => {
    const job = find(render(), 'Job').spec as { template: { metadata: { labels: Record<string, string> } } };
    expect(job.template.metadata.labels['app.kubernetes.io/name']).toBe('koji-hub-db-schema');
  });

  test.each([{}, { sidecar: false }])('no koji-admin container when sidecar is %o', (spec) => {
    const children = render(spec);
    expect(workload(children).template.spec.containers.map((c) => c.name)).toEqual(['koji-hub']);
    expect(find(children, 'ConfigMap').data).not.toHaveProperty('koji.conf');
  });

  test('sidecar: true adds an idle koji-admin container with /etc/koji.conf and the admin certificate', () => {
    const children = render({ sidecar: true });
    const admin = container(children, 'koji-admin');
    expect(admin.image).toBe(defaultImages.cli);
    expect([...(admin.command ?? []), ...(admin.args ?? [])]).toEqual(['sleep', 'infinity']);
    expect(admin.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'admin-conf', mountPath: '/etc/koji.conf', subPath: 'koji.conf', readOnly: true },
        { name: 'admin-client', mountPath: '/etc/koji-pki/client', readOnly: true },
        { name: 'ca', mountPath: '/etc/koji-pki/ca', readOnly: true },
      ]),
    );
    expect(workload(children).template.spec.volumes).toContainEqual({
      name: 'admin-client',
      secret: {
        secretName: 'koji-admin-client-cert',
        items: [{ key: 'client.pem', path: 'client.pem' }],
        defaultMode: 0o440,
      },
    });
    const conf = (find(children, 'ConfigMap').data as Record<string, string>)['koji.conf'];
    expect(conf).toContain('server = https://localhost:8443/kojihub');
    expect(conf).toContain('authtype = ssl');
    expect(render({ sidecar: true, sidecar_image: 'example/koji:1' }).length).toBeGreaterThan(0);
    expect(container(render({ sidecar: true, sidecar_image: 'example/koji:1' }), 'koji-admin').image).toBe(
      'example/koji:1',
    );
  });

  test.each([
    [
      { http_enabled: true, https_enabled: true },
      [
        { name: 'http', port: 8080 },
        { name: 'https', port: 8443 },
      ],
    ],
    [{ http_enabled: false, https_enabled: true }, [{ name: 'https', port: 8443 }]],
    [{ http_enabled: true, https_enabled: false }, [{ name: 'http', port: 8080 }]],
    [{}, [{ name: 'https', port: 8443 }]],
  ])('Service ports follow http_enabled/https_enabled %o', (spec, ports) => {
    const svc = find(render(spec), 'Service').spec as { ports: { name: string; port: number }[] };
    expect(svc.ports.map(({ name, port }) => ({ name, port }))).toEqual(ports);
  });

  test('persistent: the two claims with their sizes and classes, never children of the KojiHub, and the layout made by an init container', () => {
    const spec = {
      persistent: true,
      httpd_pvc_name: 'koji-hub-httpd-pvc',
      httpd_pvc_size: '1Gi',
      mnt_pvc_name: 'koji-hub-mnt-pvc',
      mnt_pvc_size: '10Gi',
      mnt_pvc_storage_class: 'cephfs',
    };
    const children = render(spec);
    // Owned children are garbage-collected with the KojiHub: the builds must not be.
    expect(ids(children).some((id) => id.startsWith('PersistentVolumeClaim'))).toBe(false);
    const claims = hubClaims(hub(spec));
    expect(claims.map((c) => [c.purpose, c.object.metadata.name, c.object.spec])).toEqual([
      [
        'mnt',
        'koji-hub-mnt-pvc',
        {
          accessModes: ['ReadWriteMany'],
          resources: { requests: { storage: '10Gi' } },
          storageClassName: 'cephfs',
        },
      ],
      [
        'httpd',
        'koji-hub-httpd-pvc',
        { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      ],
    ]);
    expect(claims.every((c) => c.object.metadata.ownerReferences === undefined)).toBe(true);
    const pod = workload(children).template.spec;
    expect(pod.volumes).toContainEqual({
      name: 'koji-mnt',
      persistentVolumeClaim: { claimName: 'koji-hub-mnt-pvc' },
    });
    expect(pod.initContainers?.[0]?.command?.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(pod.initContainers?.[0]?.command?.[2]).toMatch(
      /^mkdir -p \/mnt\/koji\/packages \/mnt\/koji\/repos \/mnt\/koji\/work \/mnt\/koji\/scratch \/mnt\/koji\/repos-dist \|\| \{/,
    );
    // A volume the hub's user cannot write says so, instead of a bare "Permission denied".
    expect(pod.initContainers?.[0]?.command?.[2]).toContain('is not writable by uid $(id -u)');
    // The RWO httpd claim cannot be held by the old and new pod at once.
    expect(workload(children).strategy).toEqual({ type: 'Recreate' });
    // A ReadWriteMany httpd claim can: rolling updates then.
    expect(workload(render({ ...spec, httpd_pvc_access_mode: 'ReadWriteMany' })).strategy).toEqual({
      type: 'RollingUpdate',
    });
  });

  test('persistent is the default (the proposal and MBBOX mean it)', () => {
    expect(hubClaims(hub()).map((c) => c.object.metadata.name)).toEqual([
      'mb-koji-hub-mnt',
      'mb-koji-hub-httpd',
    ]);
    expect(workload(render()).template.spec.volumes).toContainEqual({
      name: 'koji-mnt',
      persistentVolumeClaim: { claimName: 'mb-koji-hub-mnt' },
    });
  });

  test('an existing claim is used as it is; only a reference to this very hub is released', () => {
    const claim = (owners: { uid: string }[] = []) => ({
      metadata: {
        name: 'c',
        ownerReferences: owners.map((o) => ({ apiVersion: 'v1', kind: 'X', name: 'x', ...o })),
      },
    });
    expect(claimAction(undefined, 'hub-uid')).toEqual({ action: 'create' });
    expect(claimAction(claim(), 'hub-uid')).toEqual({ action: 'use' });
    expect(claimAction(claim([{ uid: 'someone-else' }]), 'hub-uid')).toEqual({ action: 'use' });
    expect(claimAction(claim([{ uid: 'someone-else' }, { uid: 'hub-uid' }]), 'hub-uid')).toEqual({
      action: 'release',
      ownerIndexes: [1],
    });
  });

  test('not persistent: no claims, emptyDir volumes', () => {
    const children = render({ persistent: false, mnt_pvc_name: 'x' });
    expect(hubClaims(hub({ persistent: false }))).toEqual([]);
    expect(workload(children).template.spec.volumes).toContainEqual({ name: 'koji-mnt', emptyDir: {} });
  });

  test('the database comes from the postgres Secret as PG* variables, never in hub.conf', () => {
    const children = render();
    expect(container(children, 'koji-hub').env).toEqual(
      expect.arrayContaining([
        { name: 'PGHOST', valueFrom: { secretKeyRef: { name: 'postgres', key: 'POSTGRES_HOST' } } },
        { name: 'PGDATABASE', valueFrom: { secretKeyRef: { name: 'postgres', key: 'POSTGRES_DB' } } },
        { name: 'PGUSER', valueFrom: { secretKeyRef: { name: 'postgres', key: 'POSTGRES_USER' } } },
        { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'postgres', key: 'POSTGRES_PASSWORD' } } },
      ]),
    );
    expect((find(children, 'ConfigMap').data as Record<string, string>)['hub.conf']).not.toMatch(
      /DBPass|DBName|DBHost/,
    );
  });

  test('the schema Job loads the schema only when the users table is missing, with the same PG* env', () => {
    const job = find(render(), 'Job').spec as { template: { spec: { containers: Container[] } } };
    const c = job.template.spec.containers[0] as Container;
    expect(c.command?.[2]).toContain("to_regclass('public.users')");
    expect(c.command?.[2]).toContain('--single-transaction');
    expect(c.env).toContainEqual({
      name: 'PGPASSWORD',
      valueFrom: { secretKeyRef: { name: 'postgres', key: 'POSTGRES_PASSWORD' } },
    });
    const withAdmin = hubManifests({ hub: hub(), referencedHash: 'h', adminUser: 'kojiadmin' }).children;
    const env = (
      (find(withAdmin, 'Job').spec as { template: { spec: { containers: Container[] } } }).template.spec
        .containers[0] as Container
    ).env;
    expect(env).toContainEqual({ name: 'KOJI_ADMIN', value: 'kojiadmin' });
  });

  test('host with nginx: an Ingress that passes TLS through, since the hub checks client certificates itself', () => {
    const ingress = find(render({ host: 'koji.example.com' }), 'Ingress');
    expect(ingress.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/ssl-passthrough': 'true',
      'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
    });
    expect(ingress.spec).toEqual({
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'koji.example.com',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'mb-koji-hub', port: { name: 'https' } } },
              },
            ],
          },
        },
      ],
    });
    expect(
      (find(render({ host: 'koji.example.com' }), 'ConfigMap').data as Record<string, string>)['hub.conf'],
    ).toContain('CheckClientIP = False');
  });

  test('host with openshift: a passthrough Route and no Ingress', () => {
    const children = render({ host: 'koji.example.com', ingress_backend: 'openshift' });
    expect(ids(children)).toContain('Route/mb-koji-hub');
    expect(ids(children).some((id) => id.startsWith('Ingress/'))).toBe(false);
    const route = find(children, 'Route');
    expect(route.apiVersion).toBe('route.openshift.io/v1');
    expect(route.spec).toEqual({
      host: 'koji.example.com',
      to: { kind: 'Service', name: 'mb-koji-hub', weight: 100 },
      port: { targetPort: 'https' },
      tls: { termination: 'passthrough', insecureEdgeTerminationPolicy: 'None' },
    });
  });

  test('no host: neither Ingress nor Route', () => {
    expect(
      ids(render({ ingress_backend: 'openshift' })).filter((id) => /^(Ingress|Route)\//.test(id)),
    ).toEqual([]);
  });

  test('fedora-messaging: the plugin, its config.toml and the broker certificates from messaging_cert_cm', () => {
    const children = render({
      fedora_messaging_url: 'amqps://koji:something@rabbitmq',
      topic_prefix: 'mbox_dev',
      messaging_cert_cm: 'koji-hub-msg',
    });
    const data = find(children, 'ConfigMap').data as Record<string, string>;
    expect(data['hub.conf']).toContain('Plugins = koji-fedoramessaging');
    expect(data['fedora-messaging.toml']).toContain('amqp_url = "amqps://koji:something@rabbitmq"');
    expect(data['fedora-messaging.toml']).toContain('topic_prefix = "mbox_dev"');
    expect(container(children, 'koji-hub').env).toContainEqual({
      name: 'FEDORA_MESSAGING_CONF',
      value: '/etc/fedora-messaging/config.toml',
    });
    expect(workload(children).template.spec.volumes).toContainEqual({
      name: 'messaging-tls',
      configMap: { name: 'koji-hub-msg' },
    });
    expect(container(children, 'koji-hub').volumeMounts).toContainEqual({
      name: 'messaging-tls',
      mountPath: '/etc/fedora-messaging/tls',
      readOnly: true,
    });
  });

  test("fedora-messaging: the proposal's Secret is mounted where config.toml points, the key readable by apache only", () => {
    const children = render({
      fedora_messaging_url: 'amqps://koji@rabbitmq',
      messaging_cert_secret: 'koji-fedora-messaging-cert',
      messaging_cert_cm: 'koji-hub-msg',
    });
    const toml = (find(children, 'ConfigMap').data as Record<string, string>)['fedora-messaging.toml'] ?? '';
    const keyfile = /^keyfile = "(.+)"$/m.exec(toml)?.[1] ?? '';
    const tls = workload(children).template.spec.volumes.find((v) => v.name === 'messaging-tls');
    // The Secret wins over the ConfigMap: it holds a private key.
    expect(tls).toEqual({
      name: 'messaging-tls',
      secret: {
        secretName: 'koji-fedora-messaging-cert',
        items: ['ca_cert.pem', 'client_cert.pem', 'client_key.pem'].map((key) => ({ key, path: key })),
        defaultMode: 0o440,
      },
    });
    const mount = container(children, 'koji-hub').volumeMounts?.find((m) => m.name === 'messaging-tls');
    expect(`${mount?.mountPath}/client_key.pem`).toBe(keyfile);
    expect(workload(children).template.spec).toMatchObject({
      securityContext: { fsGroup: 48, runAsUser: 48 },
    });
  });

  test('the pod-template hash changes with a referenced Secret and with the rendered config, and only then', () => {
    const annotation = (children: Child[]) =>
      workload(children).template.metadata.annotations[configHashAnnotation];
    expect(annotation(render({}, 'a'))).toBe(annotation(render({}, 'a')));
    expect(annotation(render({}, 'a'))).not.toBe(annotation(render({}, 'b')));
    expect(annotation(render({ host: 'koji.example.com' }, 'a'))).not.toBe(annotation(render({}, 'a')));
  });

  test('status URLs: the Service inside the cluster, the host outside', () => {
    expect(hubUrls(hub({ host: 'koji.example.com' }))).toEqual({
      hubUrl: 'https://mb-koji-hub.koji.svc:8443/kojihub',
      externalUrl: 'https://koji.example.com/kojihub',
    });
    expect(hubUrls(hub({ https_enabled: false, http_enabled: true }))).toEqual({
      hubUrl: 'http://mb-koji-hub.koji.svc:8080/kojihub',
    });
  });
});

describe('KojiWeb', () => {
  const web: KojiWeb = {
    metadata: { name: 'koji-web', namespace: 'koji' },
    spec: {
      replicas: 2,
      client_username: 'kojiweb',
      hub_host: 'koji-hub:8443',
      cacert_secret: 'koji-hub-ca-cert',
      client_cert_secret: 'koji-web-client-cert',
    },
  };

  test('ConfigMap, session Secret, Deployment and Service; web.conf points at hub_host', () => {
    const { children } = webManifests({ web, referencedHash: 'h', sessionSecret: 's3cret' });
    expect(ids(children)).toEqual([
      'ConfigMap/koji-web-config',
      'Deployment/koji-web',
      // Two replicas: a drain takes them down one at a time.
      'PodDisruptionBudget/koji-web',
      'Secret/koji-web-session',
      'Service/koji-web',
    ]);
    expect((find(children, 'ConfigMap').data as Record<string, string>)['web.conf']).toContain(
      'KojiHubURL = https://koji-hub:8443/kojihub',
    );
    expect(
      Buffer.from(
        (find(children, 'Secret').data as Record<string, string>)['secret.conf'] ?? '',
        'base64',
      ).toString(),
    ).toContain('Secret = s3cret');
    const d = workload(children);
    expect(d.replicas).toBe(2);
    expect(d.template.metadata.labels['app.kubernetes.io/name']).toBe('koji-web');
    expect(d.template.spec.volumes).toEqual(
      expect.arrayContaining([
        {
          name: 'client',
          secret: {
            secretName: 'koji-web-client-cert',
            items: [{ key: 'client.pem', path: 'client.pem' }],
            defaultMode: 0o440,
          },
        },
        {
          name: 'ca',
          secret: {
            secretName: 'koji-hub-ca-cert',
            items: [{ key: 'ca.crt', path: 'ca.crt' }],
            defaultMode: 0o440,
          },
        },
      ]),
    );
  });

  test('host: an edge-terminated Ingress, or a Route with openshift', () => {
    const withHost = { ...web, spec: { ...web.spec!, host: 'web.example.com' } };
    const ingress = find(
      webManifests({ web: withHost, referencedHash: 'h', sessionSecret: 's' }).children,
      'Ingress',
    );
    expect((ingress.spec as { tls: unknown }).tls).toEqual([{ hosts: ['web.example.com'] }]);
    const openshift = {
      ...web,
      spec: { ...web.spec!, host: 'web.example.com', ingress_backend: 'openshift' as const },
    };
    const route = find(
      webManifests({ web: openshift, referencedHash: 'h', sessionSecret: 's' }).children,
      'Route',
    );
    expect((route.spec as { tls: unknown }).tls).toEqual({
      termination: 'edge',
      insecureEdgeTerminationPolicy: 'Redirect',
    });
  });
});

describe('Kojira', () => {
  const kojira: Kojira = {
    metadata: { name: 'kojira', namespace: 'koji' },
    spec: {
      hub_host: 'koji-hub:8443',
      cacert_secret: 'koji-hub-ca-cert',
      client_cert_secret: 'kojira-client-cert',
      shared_pvc: 'koji-hub-mnt-pvc',
    },
  };

  test('one pod, Recreate, `kojira --fg --force-lock`, /mnt/koji read-write from shared_pvc', () => {
    const { children } = kojiraManifests({ kojira, referencedHash: 'h' });
    expect(ids(children)).toEqual(['ConfigMap/kojira-config', 'Deployment/kojira']);
    const d = workload(children);
    expect(d.replicas).toBe(1);
    expect(d.strategy).toEqual({ type: 'Recreate' });
    const c = container(children, 'kojira');
    expect([...(c.command ?? []), ...(c.args ?? [])]).toEqual([
      'kojira',
      '--fg',
      '--force-lock',
      '--config',
      '/etc/kojira/kojira.conf',
    ]);
    expect(c.volumeMounts).toContainEqual({ name: 'koji-mnt', mountPath: '/mnt/koji' });
    expect(d.template.spec.volumes).toContainEqual({
      name: 'koji-mnt',
      persistentVolumeClaim: { claimName: 'koji-hub-mnt-pvc' },
    });
    expect(d.template.metadata.labels['app.kubernetes.io/name']).toBe('kojira');
  });

  test("the user's kojira.conf is merged over the defaults", () => {
    const { children } = kojiraManifests({
      kojira,
      referencedHash: 'h',
      override: '[kojira]\nsleeptime = 30\n',
    });
    expect((find(children, 'ConfigMap').data as Record<string, string>)['kojira.conf']).toContain(
      'sleeptime = 30',
    );
  });
});

describe('KojiBuilder', () => {
  const builder: KojiBuilder = {
    metadata: { name: 'default', namespace: 'koji' },
    spec: {
      replicas: 2,
      cacert_secret: 'koji-hub-ca-cert',
      client_cert_secret: 'koji-builder-client-cert',
      koji_hub_url: 'https://koji-hub:8443',
      max_jobs: 5,
      vendor: 'MBox',
      shared_pvc: 'koji-hub-mnt-pvc',
    },
  };

  test('a StatefulSet behind a headless Service: one koji host per ordinal', () => {
    const { children } = builderManifests({ builder, referencedHash: 'h' });
    expect(ids(children)).toEqual(['ConfigMap/default-config', 'Service/default', 'StatefulSet/default']);
    expect((find(children, 'Service').spec as { clusterIP: string }).clusterIP).toBe('None');
    const sts = workload(children, 'StatefulSet');
    expect(sts.serviceName).toBe('default');
    expect(sts.replicas).toBe(2);
    expect(sts.template.metadata.labels['app.kubernetes.io/name']).toBe('kojid');
    expect(builderPodNames(builder)).toEqual(['default-0', 'default-1']);
  });

  test('kojid runs --fg --force-lock with /mnt/koji read-only and its own certificate per pod', () => {
    const { children } = builderManifests({ builder, referencedHash: 'h' });
    const kojid = container(children, 'kojid', 'StatefulSet');
    expect([...(kojid.command ?? []), ...(kojid.args ?? [])].slice(0, 3)).toEqual([
      'kojid',
      '--fg',
      '--force-lock',
    ]);
    expect(kojid.volumeMounts).toContainEqual({ name: 'koji-mnt', mountPath: '/mnt/koji', readOnly: true });
    const init = workload(children, 'StatefulSet').template.spec.initContainers?.[0] as Container;
    expect(init.name).toBe('select-identity');
    expect(init.command?.[2]).toContain('$POD_NAME.pem');
    const conf = (find(children, 'ConfigMap').data as Record<string, string>)['kojid.conf'];
    expect(conf).toContain('maxjobs = 5');
    expect(conf).toContain('vendor = MBox');
  });
});

test('contentHash does not depend on the order of objects or keys', () => {
  const a = { kind: 'Secret', name: 'a', data: { x: '1', y: '2' } };
  const b = { kind: 'ConfigMap', name: 'b', data: { z: '3' } };
  expect(contentHash([a, b])).toBe(contentHash([b, { ...a, data: { y: '2', x: '1' } }]));
  expect(contentHash([a, b])).not.toBe(contentHash([{ ...a, data: { x: '1', y: '3' } }, b]));
});
