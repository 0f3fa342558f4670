// /mnt/koji holds the builds: deleting a KojiHub keeps its claims and their volumes, a claim
// the user made is used as it is (never adopted, resized or relabelled), and kojira and the
// builders say plainly when the claim they share is missing.
import type { KubeObject, ResourceRef } from '@fedora-operators/framework';
import type { RunningOperator } from '@fedora-operators/framework/testing';
import type { HubClaimStatus } from '../../src/api/index.js';
import { Resources } from '../../src/manifests/index.js';
import {
  condition,
  create,
  createExampleReferences,
  createTestNamespace,
  kojiHubCr,
  persistentVolumes,
  provideVolume,
  startKojiOperator,
  type TestNamespace,
} from '../support/cluster.js';
import { eventually } from '../support/eventually.js';

const hub = kojiHubCr;

const claimsOf = async (ns: TestNamespace, name: string) =>
  (
    (await ns.client.find(Resources.kojiHub, ns.name, name))?.status as
      { claims?: HubClaimStatus[] } | undefined
  )?.claims ?? [];

describe('a KojiHub and its claims', () => {
  let ns: TestNamespace;
  let operator: RunningOperator;
  beforeAll(async () => {
    ns = await createTestNamespace('storage');
    await createExampleReferences(ns.client, ns.name);
    operator = await startKojiOperator(ns.name);
  });
  afterAll(async () => {
    await operator?.stop();
    await ns?.dispose();
  });

  test('`kubectl delete kojihub` leaves the /mnt/koji claim and its volume', async () => {
    await provideVolume(ns.client, ns.name, 'keep-mnt', '10Gi', 'ReadWriteMany');
    await provideVolume(ns.client, ns.name, 'keep-httpd', '1Gi', 'ReadWriteOnce');
    await create(
      ns.client,
      ns.name,
      hub('keep', { mnt_pvc_name: 'keep-mnt', httpd_pvc_name: 'keep-httpd', mnt_pvc_storage_class: '' }),
    );
    await eventually(
      async () => {
        const claims = await claimsOf(ns, 'keep');
        return claims.length === 2 && claims.every((c) => c.origin === 'Created' && c.phase === 'Bound');
      },
      { what: 'both claims created and Bound' },
    );
    const claim = await ns.client.get(Resources.pvc, ns.name, 'keep-mnt');
    expect(claim.metadata.ownerReferences ?? []).toEqual([]);
    expect((claim.spec as { storageClassName?: string }).storageClassName).toBe('');

    const uid = (await ns.client.get(Resources.kojiHub, ns.name, 'keep')).metadata.uid;
    await ns.client.delete(Resources.kojiHub, ns.name, 'keep');
    // The garbage collector removes the hub's children (its Deployment, Services, ConfigMaps,
    // ...) and has had its chance at the claims once none of them is left: they and their
    // volumes stay (positive marker: every child gone, not a fixed wait).
    const owned = async () => {
      const kinds = [
        Resources.deployment,
        Resources.service,
        Resources.configMap,
        Resources.secret,
        Resources.job,
      ];
      const lists = await Promise.all(kinds.map((kind) => ns.client.list<KubeObject>(kind, ns.name)));
      return lists
        .flatMap((l) => l.items)
        .filter((o) => o.metadata.ownerReferences?.some((r) => r.uid === uid));
    };
    await eventually(
      async () => !(await ns.client.find(Resources.kojiHub, ns.name, 'keep')) && (await owned()).length === 0,
      { what: 'the KojiHub and every child of it gone', timeoutMs: 60_000 },
    );
    for (const name of ['keep-mnt', 'keep-httpd']) {
      const kept = await ns.client.get(Resources.pvc, ns.name, name);
      expect(kept.metadata.deletionTimestamp).toBeUndefined();
      expect((kept.status as { phase?: string }).phase).toBe('Bound');
      const volume = await ns.client.get(persistentVolumes, undefined, `${ns.name}-${name}`);
      expect((volume.status as { phase?: string }).phase).toBe('Bound');
    }
  });

  test('a claim that exists before the KojiHub is used as it is and reported, never modified', async () => {
    await provideVolume(ns.client, ns.name, 'mine-mnt', '3Gi', 'ReadWriteMany');
    const mine: KubeObject = await ns.client.create<KubeObject>(Resources.pvc, {
      metadata: { name: 'mine-mnt', namespace: ns.name, labels: { owner: 'me' } },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: '',
        resources: { requests: { storage: '3Gi' } },
      },
    });
    const bound = await eventually(
      async () => {
        const c = await ns.client.get(Resources.pvc, ns.name, 'mine-mnt');
        return (c.status as { phase?: string }).phase === 'Bound' ? c : undefined;
      },
      { what: 'the user claim Bound' },
    );
    expect(mine.metadata.uid).toBe(bound.metadata.uid);
    // Another size and class than the claim has: they must not be written into it.
    await create(
      ns.client,
      ns.name,
      hub('users', { mnt_pvc_name: 'mine-mnt', mnt_pvc_size: '10Gi', mnt_pvc_storage_class: 'fast' }),
    );
    await eventually(
      async () =>
        (await claimsOf(ns, 'users')).find(
          (c) => c.purpose === 'mnt' && c.origin === 'Existing' && c.phase === 'Bound',
        ),
      { what: 'status.claims reporting mine-mnt as Existing' },
    );
    // The Deployment mounts it: the operator has had its run.
    const deployment = await ns.client.get(Resources.deployment, ns.name, 'users');
    expect(JSON.stringify(deployment.spec)).toContain('"claimName":"mine-mnt"');
    const after = await ns.client.get(Resources.pvc, ns.name, 'mine-mnt');
    expect(after.metadata.resourceVersion).toBe(bound.metadata.resourceVersion);
    expect(after.metadata.ownerReferences).toBeUndefined();
    expect(after.metadata.labels).toEqual({ owner: 'me' });
    expect(after.spec).toEqual(bound.spec);
  });
});

describe('the claim kojira and the builders share', () => {
  let ns: TestNamespace;
  let operator: RunningOperator;
  beforeAll(async () => {
    ns = await createTestNamespace('shared-pvc');
    await createExampleReferences(ns.client, ns.name);
    operator = await startKojiOperator(ns.name);
  });
  afterAll(async () => {
    await operator?.stop();
    await ns?.dispose();
  });

  test('a missing shared claim gives SharedVolumeMissing on Kojira and KojiBuilder, until it exists', async () => {
    const shared = { cacert_secret: 'koji-hub-ca-cert', shared_pvc: 'not-there-yet' };
    const objects: [ResourceRef, string][] = [
      [Resources.kojira, 'kojira'],
      [Resources.kojiBuilder, 'default'],
    ];
    await create(ns.client, ns.name, {
      apiVersion: 'koji.fedoraproject.org/v1alpha1',
      kind: 'Kojira',
      metadata: { name: 'kojira' },
      spec: { ...shared, hub_host: 'koji-hub:8443', client_cert_secret: 'kojira-client-cert' },
    });
    await create(ns.client, ns.name, {
      apiVersion: 'koji.fedoraproject.org/v1alpha1',
      kind: 'KojiBuilder',
      metadata: { name: 'default' },
      spec: {
        ...shared,
        koji_hub_url: 'https://koji-hub:8443',
        client_cert_secret: 'koji-builder-client-cert',
      },
    });
    for (const [resource, name] of objects) {
      const ready = await eventually(
        async () => {
          const c = condition(await ns.client.find(resource, ns.name, name), 'Ready');
          return c?.reason === 'SharedVolumeMissing' ? c : undefined;
        },
        { what: `${resource.kind} ${name} Ready=False SharedVolumeMissing` },
      );
      expect(ready.status).toBe('False');
      expect(ready.message).toContain('PersistentVolumeClaim not-there-yet (shared_pvc) not found');
    }
    await provideVolume(ns.client, ns.name, 'not-there-yet', '1Gi', 'ReadWriteMany');
    await ns.client.create(Resources.pvc, {
      metadata: { name: 'not-there-yet', namespace: ns.name },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: '',
        resources: { requests: { storage: '1Gi' } },
      },
    });
    for (const [resource, name] of objects) {
      await eventually(
        async () => {
          const c = condition(await ns.client.find(resource, ns.name, name), 'Ready');
          return c && c.reason !== 'SharedVolumeMissing';
        },
        { what: `${resource.kind} ${name} past SharedVolumeMissing once the claim exists` },
      );
    }
  });
});
