// The control plane of the integration run (test/cluster's jest globalSetup sets KUBECONFIG),
// seen through the framework's public client: a namespace per test file, the objects the
// examples reference, PersistentVolumes for their claims, and the OpenShift Route CRD.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeClient, KubeObject, ResourceRef } from '@fedora-operators/framework';
import { startOperator, type RunningOperator } from '@fedora-operators/framework/testing';
import { parseAllDocuments } from 'yaml';
import type { HubClientFactory } from '../../src/hub-connection/index.js';
import { kojiControllers, options } from '../../src/main.js';
import { Resources } from '../../src/manifests/index.js';
import {
  createTestNamespace as createNamespace,
  type TestNamespace,
} from '../../../../test/support/cluster.ts';
import { eventually } from './eventually.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

export { testClient, type TestNamespace } from '../../../../test/support/cluster.ts';

/** A fresh namespace that pods can run in (the repository's helper, waiting for its ServiceAccount). */
export const createTestNamespace = (prefix: string): Promise<TestNamespace> =>
  createNamespace(prefix, { pods: true });

export const persistentVolumes: ResourceRef = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolume',
  plural: 'persistentvolumes',
  namespaced: false,
};
const crds: ResourceRef = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  namespaced: false,
};

/**
 * Starts the Koji operator's controllers (main.ts's list and options) on one namespace; `hub`
 * points their koji side at an emulated hub (the default reaches the in-cluster Service name).
 */
export function startKojiOperator(namespace: string, hub?: HubClientFactory): Promise<RunningOperator> {
  return startOperator(kojiControllers(hub), { ...options, namespaces: [namespace], resyncSeconds: 0 });
}

/** A KojiHub naming the example references (createExampleReferences), with `spec` on top. */
export function kojiHubCr(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'koji.fedoraproject.org/v1alpha1',
    kind: 'KojiHub',
    metadata: { name },
    spec: {
      ca_cert_secret: 'koji-hub-ca-cert',
      service_cert_secret: 'koji-hub-service-cert',
      postgres_secret: 'postgres',
      ...spec,
    },
  };
}

/** The documents of a YAML file of the repository. */
export function readYaml(path: string): KubeObject[] {
  return parseAllDocuments(readFileSync(join(repoRoot, path), 'utf8'))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((d): d is KubeObject => d !== null);
}

const kindResources: Record<string, ResourceRef> = {
  KojiHub: Resources.kojiHub,
  KojiWeb: Resources.kojiWeb,
  Kojira: Resources.kojira,
  KojiBuilder: Resources.kojiBuilder,
  KojiUser: { ...Resources.kojiBuilder, kind: 'KojiUser', plural: 'kojiusers' },
  Secret: Resources.secret,
  ConfigMap: Resources.configMap,
};

export function resourceOf(object: KubeObject): ResourceRef {
  const resource = kindResources[object.kind ?? ''];
  if (!resource) throw new Error(`no resource known for kind ${object.kind}`);
  return resource;
}

/** Creates an object as `kubectl create` would. */
export function create<T extends KubeObject>(client: KubeClient, namespace: string, object: T): Promise<T> {
  return client.create(resourceOf(object), { ...object, metadata: { ...object.metadata, namespace } });
}

const pem = (what: string) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(what).toString('base64')}\n-----END CERTIFICATE-----\n`;

/** A client/CA Secret with the keys config/layout.ts names; the content only has to change when rotated. */
export function certSecret(name: string, serial = '1'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name },
    type: 'Opaque',
    stringData: {
      'ca.crt': pem(`ca ${serial}`),
      'tls.crt': pem(`${name} ${serial}`),
      'tls.key': `key of ${name} ${serial}`,
      'client.pem': pem(`${name} ${serial}`),
    },
  };
}

/**
 * Every Secret and ConfigMap the examples name, as examples/gen-certs.sh and examples/*.yaml
 * make them; `real` replaces placeholder Secrets with real certificates (an emulated hub's CA
 * and admin, so the operator can log in to it).
 */
export async function createExampleReferences(
  client: KubeClient,
  namespace: string,
  real: Record<string, Record<string, string>> = {},
): Promise<void> {
  for (const name of [
    'koji-hub-ca-cert',
    'koji-hub-service-cert',
    'koji-web-client-cert',
    'kojira-client-cert',
    'koji-builder-client-cert',
    'koji-admin-client-cert',
  ]) {
    const data = real[name];
    await create(
      client,
      namespace,
      data
        ? { apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'Opaque', stringData: data }
        : certSecret(name),
    );
  }
  for (const object of [
    ...readYaml('examples/postgres-secret.yaml'),
    ...readYaml('examples/configmaps.yaml'),
  ])
    await create(client, namespace, object);
  await create(client, namespace, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'koji-hub-msg' },
    data: { 'ca_cert.pem': pem('msg ca'), 'client_cert.pem': pem('msg client') },
  });
}

/**
 * A PersistentVolume pre-bound to one claim: there is no provisioner in the test cluster, and
 * the scheduler keeps pods with unbound claims Pending.
 */
export async function provideVolume(
  client: KubeClient,
  namespace: string,
  claim: string,
  size: string,
  accessMode: 'ReadWriteOnce' | 'ReadWriteMany',
): Promise<void> {
  await client.create(persistentVolumes, {
    metadata: { name: `${namespace}-${claim}` },
    spec: {
      capacity: { storage: size },
      accessModes: [accessMode],
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: '',
      hostPath: { path: `/tmp/${namespace}/${claim}` },
      claimRef: { namespace, name: claim },
    },
  });
}

/** A bound ReadWriteMany claim, as a KojiHub's /mnt/koji would be, for kojira and builders alone. */
export async function createBoundClaim(client: KubeClient, namespace: string, claim: string): Promise<void> {
  await provideVolume(client, namespace, claim, '1Gi', 'ReadWriteMany');
  await client.create(Resources.pvc, {
    metadata: { name: claim, namespace },
    spec: {
      accessModes: ['ReadWriteMany'],
      storageClassName: '',
      resources: { requests: { storage: '1Gi' } },
    },
  });
}

/** A minimal CRD for OpenShift's routes.route.openshift.io/v1, so Routes can be stored. */
export async function installRouteCrd(client: KubeClient): Promise<void> {
  const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  await client.apply(
    crds,
    {
      metadata: { name: 'routes.route.openshift.io' },
      spec: {
        group: 'route.openshift.io',
        scope: 'Namespaced',
        names: { kind: 'Route', plural: 'routes', singular: 'route', listKind: 'RouteList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: open, status: open } } },
          },
        ],
      },
    },
    { fieldManager: 'tests' },
  );
  await eventually(
    async () => {
      const list = await client.http.request<{ resources: { name: string }[] }>(
        'GET',
        '/apis/route.openshift.io/v1',
      );
      return list.resources.some((r) => r.name === 'routes');
    },
    { what: 'routes.route.openshift.io to be served' },
  );
}

/** Kind/name of every object of these kinds in the namespace that the owner (by uid) owns. */
export async function ownedChildren(
  client: KubeClient,
  namespace: string,
  ownerUid: string,
  resources: ResourceRef[],
): Promise<string[]> {
  const found: string[] = [];
  for (const resource of resources) {
    const list = await client.list<KubeObject>(resource, namespace);
    for (const item of list.items) {
      if (item.metadata.ownerReferences?.some((o) => o.uid === ownerUid && o.controller))
        found.push(`${resource.kind}/${item.metadata.name}`);
    }
  }
  return found.sort();
}

export const childResources: ResourceRef[] = [
  Resources.configMap,
  Resources.secret,
  Resources.service,
  Resources.pvc,
  Resources.deployment,
  Resources.statefulSet,
  Resources.job,
  Resources.ingress,
];

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export function condition(object: KubeObject | undefined, type: string): Condition | undefined {
  return (object?.status as { conditions?: Condition[] } | undefined)?.conditions?.find(
    (c) => c.type === type,
  );
}

export const isReady = (object: KubeObject | undefined) => condition(object, 'Ready')?.status === 'True';
