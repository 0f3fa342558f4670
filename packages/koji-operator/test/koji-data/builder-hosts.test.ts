// The builder-host service against the koji hub emulator, called directly (the KojiBuilder
// controller that will call it is written separately). Koji's side is checked with the real
// koji CLI and a separate admin client.
import { readFileSync } from 'node:fs';

import { startKojiHub, type KojiHubHandle } from '../../../../test/koji-hub/hub.ts';
import type { KojiBuilder } from '../../src/api/koji-builder.js';
import { KojiClient } from '../../src/koji/index.js';
import { createrepoWarning, retireBuilderHosts, syncBuilderHosts } from '../../src/koji-sync/index.js';

let hub: KojiHubHandle;
let admin: KojiClient;

beforeAll(async () => {
  hub = await startKojiHub();
  admin = new KojiClient({
    hubUrl: hub.url,
    ca: readFileSync(hub.caCertPath),
    cert: readFileSync(hub.adminCertPath),
    key: readFileSync(hub.adminKeyPath),
  });
}, 120_000);

afterAll(async () => {
  await admin?.close().catch(() => undefined);
  await hub?.stop();
});

function builder(replicas: number): KojiBuilder {
  return {
    apiVersion: 'koji.fedoraproject.org/v1alpha1',
    kind: 'KojiBuilder',
    metadata: { name: 'bld', namespace: 'koji' },
    spec: {
      replicas,
      cacert_secret: 'ca',
      client_cert_secret: 'bld-cert',
      koji_hub_url: hub.url,
      shared_pvc: 'mnt',
      host_archs: ['x86_64', 'aarch64'],
      channels: ['default', 'createrepo'],
    },
  };
}

const channelsOf = async (host: string) =>
  (await admin.listChannels({ hostID: host })).map((c) => c.name).sort();

describe('builder hosts', () => {
  test('no builder in createrepo yet: the warning says so', async () => {
    expect(await createrepoWarning(admin)).toMatch(/createrepo/);
  });

  test('2 replicas register 2 hosts with the arches and channels of the spec', async () => {
    const result = await syncBuilderHosts(admin, builder(2));
    expect(result.hosts.map((h) => [h.name, h.enabled])).toEqual([
      ['bld-0', true],
      ['bld-1', true],
    ]);
    expect(result.warning).toBeUndefined();
    for (const name of ['bld-0', 'bld-1']) {
      expect(await admin.getHost(name)).toMatchObject({ arches: 'x86_64 aarch64', enabled: true });
      expect(await channelsOf(name)).toEqual(['createrepo', 'default']);
    }
    // The real koji CLI sees both hosts, enabled, in createrepo.
    const out = hub.koji(hub.adminUser, ['list-hosts', '--channel', 'createrepo', '--quiet']);
    expect(out.code).toBe(0);
    expect(
      out.stdout
        .split('\n')
        .map((l) => l.split(/\s+/)[0])
        .filter(Boolean)
        .sort(),
    ).toEqual(['bld-0', 'bld-1']);
  });

  test('a second run changes nothing (every step checks koji first)', async () => {
    const before = await hub.sql('SELECT max(id) AS id FROM events');
    await syncBuilderHosts(admin, builder(2));
    expect(await hub.sql('SELECT max(id) AS id FROM events')).toEqual(before);
  });

  test('a channel added and an arch changed outside the operator are put back', async () => {
    expect(hub.koji(hub.adminUser, ['add-host-to-channel', 'bld-0', 'livecd']).code).toBe(0);
    expect(hub.koji(hub.adminUser, ['edit-host', 'bld-0', '--arches', 'ppc64le']).code).toBe(0);
    await syncBuilderHosts(admin, builder(2));
    expect(await channelsOf('bld-0')).toEqual(['createrepo', 'default']);
    expect(await admin.getHost('bld-0')).toMatchObject({ arches: 'x86_64 aarch64' });
  });

  test('scaling to 1 disables the second host and keeps the first', async () => {
    const result = await syncBuilderHosts(admin, builder(1));
    expect(result.hosts.map((h) => [h.name, h.enabled])).toEqual([
      ['bld-0', true],
      ['bld-1', false],
    ]);
    expect(await admin.getHost('bld-0')).toMatchObject({ enabled: true });
    expect(await admin.getHost('bld-1')).toMatchObject({ enabled: false });
  });

  test('deleting the builder disables all its hosts; then no one serves createrepo', async () => {
    const retired = await retireBuilderHosts(admin, builder(1));
    expect(retired.map((h) => h.name)).toEqual(['bld-0', 'bld-1']);
    expect((await admin.listHosts({ enabled: true })).map((h) => h.name)).not.toContain('bld-0');
    expect(await createrepoWarning(admin)).toMatch(/createrepo/);
  });
});
