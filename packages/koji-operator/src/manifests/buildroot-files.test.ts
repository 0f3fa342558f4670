import type { KojiBuilder } from '../api/index.js';
import { buildrootFilesCheck } from './buildroot-files.js';

const builder = (spec: Partial<NonNullable<KojiBuilder['spec']>> = {}): KojiBuilder => ({
  metadata: { name: 'default', namespace: 'koji' },
  spec: {
    cacert_secret: 'ca',
    client_cert_secret: 'client',
    shared_pvc: 'koji-hub-mnt-pvc',
    ...spec,
  } as NonNullable<KojiBuilder['spec']>,
});

describe("whether mock in a builder's buildroots can fetch the hub's files (topurl)", () => {
  test("the namespace hub's plain-HTTP /kojifiles: fine, as Fedora's kojipkgs", () => {
    expect(
      buildrootFilesCheck({
        topurl: 'http://mb-koji-hub.koji.svc:8080/kojifiles',
        builder: builder(),
        hubName: 'mb-koji-hub',
      }),
    ).toEqual({
      status: 'True',
      reason: 'PlainHttp',
      message: 'mock fetches the hub files over plain HTTP at http://mb-koji-hub.koji.svc:8080/kojifiles',
    });
  });

  test("HTTPS from the namespace hub (http_enabled false): True, the hub's CA is carried into the buildroots", () => {
    const check = buildrootFilesCheck({
      topurl: 'https://mb-koji-hub.koji.svc:8443/kojifiles',
      builder: builder(),
      hubName: 'mb-koji-hub',
    });
    expect(check.status).toBe('True');
    expect(check.reason).toBe('HubCaProvided');
    expect(check.message).toContain('https://mb-koji-hub.koji.svc:8443/kojifiles');
    expect(check.message).toContain('Secret ca');
    expect(check.message).toContain('ssl_copied_ca_trust_dirs');
  });

  test("HTTPS with the user's own site-defaults.cfg: it wins, and the status says what it must keep", () => {
    const check = buildrootFilesCheck({
      topurl: 'https://mb-koji-hub.koji.svc:8443/kojifiles',
      builder: builder({ mock_config_cm: 'mock-site' }),
      hubName: 'mb-koji-hub',
    });
    expect(check).toMatchObject({ status: 'True', reason: 'SiteDefaultsGiven' });
    expect(check.message).toContain('ConfigMap mock-site');
    expect(check.message).toContain('ssl_copied_ca_trust_dirs');
  });

  test('files of a hub that is not the namespace KojiHub: Unknown (its certificate may be a public one)', () => {
    expect(
      buildrootFilesCheck({
        topurl: 'https://koji.example.com/kojifiles',
        builder: builder(),
        hubName: undefined,
      }),
    ).toMatchObject({ status: 'Unknown', reason: 'NotTheNamespaceHub' });
  });
});
