// Every workload rendered from the proposal's CRs (examples/*.yaml), checked against the image
// contract: the command, the ids, the mounts and their modes, the ports and the probes are the
// ones the images promise, and every certificate a rendered config names is mounted.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KojiBuilder, KojiHub, KojiWeb, Kojira } from '../api/index.js';
import { podContractViolations } from '../images/pod-check.js';
import type { PodSpec } from './pod.js';
import {
  builderManifests,
  hubManifests,
  kojiraManifests,
  webManifests,
  type Child,
  type RenderedChildren,
} from './index.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
function example<T>(file: string): T {
  const [doc] = parseAllDocuments(readFileSync(`${repoRoot}examples/${file}`, 'utf8'));
  const object = doc?.toJS() as T & { metadata: Record<string, unknown> };
  object.metadata.namespace = 'koji';
  return object;
}

const hub = example<KojiHub>('koji-hub.yaml');
const web = example<KojiWeb>('koji-web.yaml');
const kojira = example<Kojira>('kojira.yaml');
const builder = example<KojiBuilder>('koji-builder.yaml');

const renders: [string, RenderedChildren][] = [
  [
    'the proposal KojiHub',
    hubManifests({ hub, referencedHash: 'h', configMapKeys: ['hub.conf', 'plugins.sidetag.conf'] }),
  ],
  [
    'a KojiHub with the messaging Secret, HTTPS only',
    hubManifests({
      hub: {
        ...hub,
        spec: { ...hub.spec!, http_enabled: false, messaging_cert_secret: 'koji-fedora-messaging-cert' },
      },
      referencedHash: 'h',
    }),
  ],
  ['the proposal KojiWeb', webManifests({ web, referencedHash: 'h', sessionSecret: 's' })],
  [
    'a KojiWeb serving HTTPS',
    webManifests({
      web: { ...web, spec: { ...web.spec!, service_cert_secret: 'koji-web-service-cert' } },
      referencedHash: 'h',
      sessionSecret: 's',
    }),
  ],
  ['the proposal Kojira', kojiraManifests({ kojira, referencedHash: 'h' })],
  ['the proposal KojiBuilder', builderManifests({ builder, referencedHash: 'h' })],
  [
    'a KojiBuilder with site-defaults.cfg',
    builderManifests({
      builder: { ...builder, spec: { ...builder.spec!, mock_config_cm: 'mock-site' } },
      referencedHash: 'h',
    }),
  ],
];

const podOf = (children: Child[]) => {
  const workload = children.find((c) => ['Deployment', 'StatefulSet'].includes(c.object.kind ?? ''));
  return (workload?.object.spec as { template: { spec: PodSpec } }).template.spec;
};
const configText = (children: Child[]) =>
  children
    .filter((c) => c.object.kind === 'ConfigMap')
    .flatMap((c) => Object.values((c.object.data as Record<string, string>) ?? {}))
    .join('\n');

test.each(renders)('%s: the pod is exactly what its images promise', (_, { children }) => {
  expect(podContractViolations(podOf(children), configText(children))).toEqual([]);
});

test.each(renders)('%s: no pod reaches the Kubernetes API', (_, { children }) => {
  expect(podOf(children).automountServiceAccountToken).toBe(false);
});

test('the check reports what a drifted pod gets wrong, in words', () => {
  const pod = structuredClone(podOf(renders[4]![1].children));
  const kojiraContainer = pod.containers[0]!;
  kojiraContainer.volumeMounts = kojiraContainer.volumeMounts?.filter((m) => m.name !== 'tmp');
  kojiraContainer.args = [];
  pod.securityContext = { ...pod.securityContext, fsGroup: 0 };
  expect(podContractViolations(pod)).toEqual([
    'pod securityContext.fsGroup is 0, not 48',
    'container kojira: args [], not ["--fg","--force-lock","--config","/etc/kojira/kojira.conf"]',
    'container kojira: has no writable volume at /tmp',
  ]);
});

test('the hub readiness probe asks the XML-RPC API on the listener the hub serves', () => {
  const pod = podOf(renders[1]![1].children);
  const hubContainer = pod.containers.find((c) => c.name === 'koji-hub');
  expect(hubContainer?.env).toContainEqual({
    name: 'KOJI_HUB_PROBE_URL',
    value: 'https://localhost:8443/kojihub',
  });
  expect(JSON.stringify(hubContainer?.readinessProbe)).toContain('getAPIVersion()');
});

test("kojid: root and privileged, mock chroots on a size-limited emptyDir, the operator's site-defaults.cfg unless the user gives one", () => {
  const plain = podOf(renders[5]![1].children);
  expect(plain.volumes).toContainEqual({ name: 'mock', emptyDir: { sizeLimit: '50Gi' } });
  // The operator's, from the builder's own ConfigMap (which has the key).
  expect(plain.volumes).toContainEqual({
    name: 'mock-site-defaults',
    configMap: { name: 'default-config', items: [{ key: 'site-defaults.cfg', path: 'site-defaults.cfg' }] },
  });
  const data = renders[5]![1].children.find((c) => c.object.kind === 'ConfigMap')?.object.data as Record<
    string,
    string
  >;
  expect(data['site-defaults.cfg']).toContain("config_opts['ssl_copied_ca_trust_dirs']");
  const withSite = podOf(renders[6]![1].children);
  expect(withSite.volumes).toContainEqual({
    name: 'mock-site-defaults',
    configMap: { name: 'mock-site', items: [{ key: 'site-defaults.cfg', path: 'site-defaults.cfg' }] },
  });
  for (const pod of [plain, withSite]) {
    expect(pod.containers[0]?.volumeMounts).toContainEqual({
      name: 'mock-site-defaults',
      mountPath: '/etc/mock/site-defaults.cfg',
      subPath: 'site-defaults.cfg',
      readOnly: true,
    });
  }
});

test("kojid: the hub's CA is an anchor of the container's trust, whose bundles an init container rebuilds", () => {
  for (const [, { children }] of renders.slice(5)) {
    const pod = podOf(children);
    // The CA Secret's ca.crt, as a file among Fedora's anchors.
    expect(pod.volumes).toContainEqual({
      name: 'hub-ca-anchor',
      secret: {
        secretName: builder.spec!.cacert_secret,
        items: [{ key: 'ca.crt', path: 'koji-hub-ca.crt' }],
        defaultMode: 0o444,
      },
    });
    const anchor = {
      name: 'hub-ca-anchor',
      mountPath: '/etc/pki/ca-trust/source/anchors/koji-hub-ca.crt',
      subPath: 'koji-hub-ca.crt',
      readOnly: true,
    };
    const trust = pod.initContainers?.find((c) => c.name === 'trust-hub-ca');
    expect(trust?.volumeMounts).toEqual([
      anchor,
      { name: 'ca-trust-extracted', mountPath: '/etc/pki/ca-trust/extracted', readOnly: false },
    ]);
    expect(trust?.command?.join(' ')).toContain('/usr/bin/update-ca-trust extract');
    // kojid (and so mock, which copies /etc/pki/ca-trust into its chroots) sees both.
    const kojid = pod.containers[0]?.volumeMounts;
    expect(kojid).toContainEqual(anchor);
    expect(kojid).toContainEqual({
      name: 'ca-trust-extracted',
      mountPath: '/etc/pki/ca-trust/extracted',
      readOnly: true,
    });
  }
});

test('/etc/koji-hub is a directory: hub.conf, hub.conf.d/ and plugins/ (your plugin configs)', () => {
  const pod = podOf(renders[0]![1].children);
  const hubConf = pod.volumes?.find((v) => v.name === 'hub-conf');
  const paths = hubConf?.projected?.sources.flatMap((s) =>
    'configMap' in s ? (s.configMap.items ?? []).map((i) => i.path) : [],
  );
  expect(paths).toEqual(['hub.conf', 'hub.conf.d/README', 'plugins/README', 'plugins/sidetag.conf']);
  expect(pod.containers[0]?.volumeMounts).toContainEqual({
    name: 'hub-conf',
    mountPath: '/etc/koji-hub',
    readOnly: true,
  });
});

test('the schema Job runs psql as the hub image user, least privilege', () => {
  const job = renders[0]![1].children.find((c) => c.object.kind === 'Job')?.object;
  const pod = (job?.spec as { template: { spec: PodSpec } }).template.spec;
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 48, runAsGroup: 48 });
  expect(pod.containers[0]?.securityContext).toMatchObject({
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  });
});
