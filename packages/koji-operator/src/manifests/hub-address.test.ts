import type { KojiHub } from '../api/index.js';
import { filesUrlFor, hubHostNames, resolveHubAddress } from './hub-address.js';

const hub = (spec: Partial<NonNullable<KojiHub['spec']>> = {}): KojiHub => ({
  metadata: { name: 'mb-koji-hub', namespace: 'koji' },
  spec: { ca_cert_secret: 'ca', service_cert_secret: 'svc', postgres_secret: 'pg', ...spec },
});

describe("where the proposal's dependents reach the hub", () => {
  test('the hub answers under its own Service and the koji-hub alias, short and qualified', () => {
    expect(hubHostNames(hub())).toEqual([
      'mb-koji-hub',
      'mb-koji-hub.koji',
      'mb-koji-hub.koji.svc',
      'mb-koji-hub.koji.svc.cluster.local',
      'koji-hub',
      'koji-hub.koji',
      'koji-hub.koji.svc',
      'koji-hub.koji.svc.cluster.local',
    ]);
  });

  test("Kojira's koji-hub:8443 and KojiBuilder's https://koji-hub:8443 are used as given, and name the hub", () => {
    expect(resolveHubAddress('koji-hub:8443', hub(), 'hub_host')).toMatchObject({
      ok: true,
      baseUrl: 'https://koji-hub:8443',
      source: 'AsGiven',
      namesTheHub: true,
    });
    expect(resolveHubAddress('https://koji-hub:8443', hub(), 'koji_hub_url')).toMatchObject({
      ok: true,
      baseUrl: 'https://koji-hub:8443',
      source: 'AsGiven',
    });
  });

  test("KojiWeb's koji_hub:8443 is no DNS name: rewritten to the hub's alias, and said so", () => {
    const address = resolveHubAddress('koji_hub:8443', hub(), 'hub_host');
    expect(address).toMatchObject({
      ok: true,
      baseUrl: 'https://koji-hub:8443',
      source: 'Rewritten',
      namesTheHub: true,
    });
    expect(address.message).toContain('"koji_hub" is not a DNS name');
  });

  test('an impossible name that is not the hub is refused with InvalidHubAddress', () => {
    expect(resolveHubAddress('other_hub:8443', hub(), 'hub_host')).toMatchObject({
      ok: false,
      reason: 'InvalidHubAddress',
    });
    expect(resolveHubAddress('koji_hub:8443', undefined, 'hub_host')).toMatchObject({
      ok: false,
      reason: 'InvalidHubAddress',
    });
  });

  test("an empty field takes the KojiHub's URL; with no KojiHub it is NoHubAddress", () => {
    expect(resolveHubAddress('', hub(), 'hub_host')).toMatchObject({
      ok: true,
      baseUrl: 'https://mb-koji-hub.koji.svc:8443',
      source: 'FromKojiHub',
    });
    expect(resolveHubAddress(undefined, undefined, 'koji_hub_url')).toMatchObject({
      ok: false,
      reason: 'NoHubAddress',
    });
  });

  test('a hub elsewhere is used as given, and its files come from there', () => {
    const address = resolveHubAddress('https://koji.example.com', hub(), 'koji_hub_url');
    expect(address).toMatchObject({ ok: true, namesTheHub: false });
    if (!address.ok) throw new Error('unreachable');
    expect(filesUrlFor(address, hub(), 'pods')).toBe('https://koji.example.com/kojifiles');
  });

  test("builders fetch the hub's files over plain HTTP in the cluster when it serves HTTP; browsers at `host`", () => {
    const served = hub({ http_enabled: true, host: 'koji.example.com' });
    const address = resolveHubAddress('https://koji-hub:8443', served, 'koji_hub_url');
    if (!address.ok) throw new Error('unreachable');
    expect(filesUrlFor(address, served, 'pods')).toBe('http://mb-koji-hub.koji.svc:8080/kojifiles');
    expect(filesUrlFor(address, served, 'browsers')).toBe('https://koji.example.com/kojifiles');
    const tlsOnly = hub();
    expect(filesUrlFor(address, tlsOnly, 'pods')).toBe('https://mb-koji-hub.koji.svc:8443/kojifiles');
  });
});
