import type { KojiWebSpec } from '../api/koji-web.js';
import { parseIni } from './ini.js';
import { renderWebConf, renderWebSecretConf } from './web-conf.js';

// The proposal's KojiWeb.
const web: KojiWebSpec = {
  replicas: 1,
  client_username: 'kojiweb',
  hub_host: 'koji_hub:8443',
  cacert_secret: 'koji-hub-ca-cert',
  client_cert_secret: 'koji-web-client-cert',
};

test('points kojiweb at the hub with its client certificate, and holds no Secret', () => {
  const rendered = renderWebConf({ web });
  const opts = Object.fromEntries(parseIni(rendered.text)[0]?.entries.map((e) => [e.key, e.value]) ?? []);
  expect(opts).toMatchObject({
    KojiHubURL: 'https://koji_hub:8443/kojihub',
    KojiFilesURL: 'https://koji_hub:8443/kojifiles',
    WebCert: '/etc/koji-pki/client/client.pem',
    KojiHubCA: '/etc/koji-pki/ca/ca.crt',
    WebAuthType: 'ssl',
  });
  expect(opts).not.toHaveProperty('Secret');
});

test('writes the session Secret on its own, escaped for the interpolating parser', () => {
  expect(renderWebSecretConf('a%b')).toBe('[web]\nSecret = a%%b\n');
  expect(() => renderWebSecretConf('')).toThrow(/non-empty/);
});

test('drops ConfigMap keys kojiweb does not read', () => {
  const rendered = renderWebConf({ web, override: '[web]\nSiteName = Fedora\nKojiHubUrl2 = x' });
  expect(rendered.text).toMatch(/^SiteName = Fedora$/m);
  expect(rendered.dropped).toEqual(['web.KojiHubUrl2']);
});
