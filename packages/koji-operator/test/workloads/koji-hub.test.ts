// What a KojiHub user relies on beyond the example: the admin sidecar follows `sidecar`,
// `ingress_backend: openshift` gives a Route instead of an Ingress, a rotated certificate
// rolls the pods, a deleted Deployment comes back, a missing Secret is reported by name, and a
// missing service certificate is issued when the CA's key is at hand, and a KojiWeb made later
// reaches the hub's ProxyDNs.
import { X509Certificate, createPublicKey } from 'node:crypto';
import type { KubeObject } from '@fedora-operators/framework';
import type { RunningOperator } from '@fedora-operators/framework/testing';
import { configHashAnnotation, Resources } from '../../src/manifests/index.js';
import {
  certSecret,
  condition,
  create,
  createExampleReferences,
  createTestNamespace,
  installRouteCrd,
  kojiHubCr,
  startKojiOperator,
  type TestNamespace,
} from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { issueCertificate } from '../../src/certs/index.js';
import { makeCa } from '../support/test-ca.js';

let ns: TestNamespace;
let operator: RunningOperator;

beforeAll(async () => {
  ns = await createTestNamespace('hub');
  // Before the operator starts: the apiserver must serve Routes for the openshift test.
  await installRouteCrd(ns.client);
  await createExampleReferences(ns.client, ns.name);
  operator = await startKojiOperator(ns.name);
});

afterAll(async () => {
  await operator?.stop();
  await ns?.dispose();
});

type PodTemplate = {
  metadata: { annotations?: Record<string, string> };
  spec: { containers: { name: string; command?: string[]; args?: string[] }[] };
};
const template = (d: KubeObject | undefined) => (d?.spec as { template: PodTemplate } | undefined)?.template;
const containerNames = (d: KubeObject | undefined) => template(d)?.spec.containers.map((c) => c.name) ?? [];

// No storage provisioner here: claims would stay Pending (storage.test.ts covers them).
const hub = (name: string, spec: Record<string, unknown> = {}) =>
  kojiHubCr(name, { persistent: false, ...spec });

/**
 * No koji runs behind these pods (KWOK), so the operator's admin login, the last thing Ready
 * needs, cannot succeed here (proposal.test.ts has a hub behind them): a hub is as far as it
 * gets once its schema Job succeeded and its pods are available.
 */
const servesPods = (h: KubeObject) => {
  const status = h.status as { readyReplicas?: number; schema?: { version: string } } | undefined;
  return (status?.readyReplicas ?? 0) >= 1 && status?.schema !== undefined;
};

const deploymentOf = (name: string) => ns.client.find(Resources.deployment, ns.name, name);

test('without `sidecar` there is no koji-admin container; true adds it and false removes it, rolling the pods', async () => {
  await create(ns.client, ns.name, hub('plain'));
  const first = await eventually(() => deploymentOf('plain'), { what: 'Deployment plain' });
  expect(containerNames(first)).toEqual(['koji-hub']);
  await eventually(async () => servesPods(await ns.client.get(Resources.kojiHub, ns.name, 'plain')), {
    what: 'KojiHub plain past its schema Job, with its pods available',
  });

  // The sidecar runs koji as the admin, with the hub's admin certificate (admin_cert_secret,
  // koji-admin-client-cert by default: created with the example references).
  await ns.client.mergePatch(Resources.kojiHub, ns.name, 'plain', { spec: { sidecar: true } });
  const withSidecar = await eventually(
    async () => {
      const d = await deploymentOf('plain');
      return containerNames(d).includes('koji-admin') ? d : undefined;
    },
    { what: 'the koji-admin container' },
  );
  const admin = template(withSidecar)?.spec.containers.find((c) => c.name === 'koji-admin');
  expect([...(admin?.command ?? []), ...(admin?.args ?? [])]).toEqual(['sleep', 'infinity']);
  // A new template generation is what makes the Deployment controller roll the pods.
  expect(withSidecar.metadata.generation).toBeGreaterThan(first?.metadata.generation ?? 0);
  // ...and the pods that run now are the new template's, with the sidecar.
  await eventually(
    async () => {
      const pods = await ns.client.list<KubeObject>(Resources.pod, ns.name, {
        labelSelector: 'app.kubernetes.io/name=koji-hub,app.kubernetes.io/instance=plain',
      });
      const live = pods.items.filter((p) => !p.metadata.deletionTimestamp);
      return (
        live.length === 1 &&
        (live[0]?.spec as { containers: { name: string }[] }).containers.some((c) => c.name === 'koji-admin')
      );
    },
    { what: 'a hub pod with the koji-admin container' },
  );

  await ns.client.mergePatch(Resources.kojiHub, ns.name, 'plain', { spec: { sidecar: false } });
  await eventually(async () => !containerNames(await deploymentOf('plain')).includes('koji-admin'), {
    what: 'the koji-admin container to go',
  });
});

test('`ingress_backend: openshift` creates a passthrough Route and no Ingress; nginx switches back', async () => {
  await create(ns.client, ns.name, hub('routed', { host: 'koji.example.com', ingress_backend: 'openshift' }));
  const route = await eventually(() => ns.client.find(Resources.route, ns.name, 'routed'), {
    what: 'Route routed',
  });
  expect(route.spec).toMatchObject({
    host: 'koji.example.com',
    to: { kind: 'Service', name: 'routed' },
    port: { targetPort: 'https' },
    tls: { termination: 'passthrough' },
  });
  expect(await ns.client.find(Resources.ingress, ns.name, 'routed')).toBeUndefined();

  await ns.client.mergePatch(Resources.kojiHub, ns.name, 'routed', { spec: { ingress_backend: 'nginx' } });
  const ingress = await eventually(() => ns.client.find(Resources.ingress, ns.name, 'routed'), {
    what: 'Ingress routed',
  });
  expect(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/ssl-passthrough']).toBe('true');
  await eventually(async () => (await ns.client.find(Resources.route, ns.name, 'routed')) === undefined, {
    what: 'the Route to be removed',
  });
});

test('rotating the service certificate Secret changes the pod-template hash', async () => {
  await create(ns.client, ns.name, certSecret('rotating-cert'));
  await create(ns.client, ns.name, hub('rotating', { service_cert_secret: 'rotating-cert' }));
  const before = await eventually(() => deploymentOf('rotating'), { what: 'Deployment rotating' });
  const hashBefore = template(before)?.metadata.annotations?.[configHashAnnotation];
  expect(hashBefore).toMatch(/^[0-9a-f]{32}$/);

  await ns.client.replace(Resources.secret, {
    ...certSecret('rotating-cert', '2'),
    metadata: { name: 'rotating-cert', namespace: ns.name },
  });
  const after = await eventually(
    async () => {
      const d = await deploymentOf('rotating');
      const h = template(d)?.metadata.annotations?.[configHashAnnotation];
      return h && h !== hashBefore ? h : undefined;
    },
    { what: 'a new config hash after the rotation' },
  );
  expect(after).not.toBe(hashBefore);
});

test('a deleted Deployment is recreated', async () => {
  await create(ns.client, ns.name, hub('drift'));
  const original = await eventually(() => deploymentOf('drift'), { what: 'Deployment drift' });
  await ns.client.delete(Resources.deployment, ns.name, 'drift');
  const recreated = await eventually(
    async () => {
      const d = await deploymentOf('drift');
      return d && d.metadata.uid !== original.metadata.uid ? d : undefined;
    },
    { what: 'Deployment drift to be recreated' },
  );
  expect(recreated.metadata.ownerReferences?.[0]?.name).toBe('drift');
});

test('a missing Secret is reported by name as MissingSecret, and the hub starts once it exists', async () => {
  await create(ns.client, ns.name, hub('waiting', { postgres_secret: 'later-postgres' }));
  const waiting = await eventually(
    async () => {
      const h = await ns.client.get(Resources.kojiHub, ns.name, 'waiting');
      return condition(h, 'Ready')?.reason === 'MissingSecret' ? h : undefined;
    },
    { what: 'Ready=False MissingSecret' },
  );
  expect(condition(waiting, 'Ready')).toMatchObject({
    status: 'False',
    message: expect.stringContaining('Secret later-postgres'),
  });
  expect(await deploymentOf('waiting')).toBeUndefined();

  await create(ns.client, ns.name, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'later-postgres' },
    stringData: { POSTGRES_HOST: 'db', POSTGRES_DB: 'koji', POSTGRES_USER: 'koji', POSTGRES_PASSWORD: 'x' },
  });
  await eventually(async () => servesPods(await ns.client.get(Resources.kojiHub, ns.name, 'waiting')), {
    what: 'KojiHub waiting past its schema Job, with its pods available',
  });
});

test("a missing service certificate is issued from a CA Secret that holds its key, for the Service's names", async () => {
  const ca = await makeCa({ name: 'Hub Client CA' });
  await create(ns.client, ns.name, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'issuing-ca' },
    stringData: { 'ca.crt': ca.certPem, 'ca.key': ca.keyPem },
  });
  await create(
    ns.client,
    ns.name,
    hub('issuing', { ca_cert_secret: 'issuing-ca', service_cert_secret: 'issuing-service' }),
  );
  const secret = await eventually(() => ns.client.find(Resources.secret, ns.name, 'issuing-service'), {
    what: 'Secret issuing-service',
  });
  const pem = Buffer.from((secret.data as Record<string, string>)['tls.crt'] ?? '', 'base64').toString();
  const cert = new X509Certificate(pem);
  expect(cert.verify(createPublicKey(ca.keyPem))).toBe(true);
  // What koji clients and kojiweb check against the URL they call (status.hubUrl's host).
  expect(cert.checkHost(`issuing.${ns.name}.svc`)).toBe(`issuing.${ns.name}.svc`);
  expect(cert.checkHost('issuing')).toBe('issuing');
  // The proposal's dependents name the hub koji-hub; the admin sidecar, localhost.
  expect(cert.checkHost(`koji-hub.${ns.name}.svc`)).toBe(`koji-hub.${ns.name}.svc`);
  expect(cert.checkHost('koji-hub')).toBe('koji-hub');
  expect(cert.checkHost('localhost')).toBe('localhost');
  expect(secret.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'KojiHub', name: 'issuing' });
  await eventually(async () => servesPods(await ns.client.get(Resources.kojiHub, ns.name, 'issuing')), {
    what: 'KojiHub issuing past its schema Job, with its pods available',
  });
});

test("a KojiWeb created after the hub reaches the hub's ProxyDNs at once, not at the next resync", async () => {
  const ca = await makeCa({ name: 'Web Client CA' });
  const web = await issueCertificate(ca, { commonName: 'late-kojiweb', purpose: 'client' });
  await create(ns.client, ns.name, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'late-web-cert' },
    stringData: { 'tls.crt': web.certPem, 'tls.key': web.keyPem, 'client.pem': web.certPem + web.keyPem },
  });
  await create(ns.client, ns.name, {
    apiVersion: 'koji.fedoraproject.org/v1alpha1',
    kind: 'KojiWeb',
    metadata: { name: 'late' },
    spec: {
      client_cert_secret: 'late-web-cert',
      hub_host: 'https://plain:8443',
      cacert_secret: 'koji-hub-ca-cert',
    },
  });
  // The operator runs with resync off here: only the @Watches on KojiWeb can wake the hub.
  await eventually(
    async () => {
      const cm = await ns.client.find(Resources.configMap, ns.name, 'plain-config');
      const conf = (cm?.data as Record<string, string> | undefined)?.['hub.conf'] ?? '';
      return /^ProxyDNs = .*CN=late-kojiweb/m.test(conf);
    },
    { what: "CN=late-kojiweb in hub plain's ProxyDNs", timeoutMs: 10_000 },
  );
});
