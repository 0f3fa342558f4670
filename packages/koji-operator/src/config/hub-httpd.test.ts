import type { KojiHubSpec } from '../api/koji-hub.js';
import { renderHubHttpdConf } from './hub-httpd.js';

const hub: KojiHubSpec = { ca_cert_secret: 'ca', service_cert_secret: 'svc', postgres_secret: 'pg' };

test('asks for the client certificate on the whole vhost, never per Location', () => {
  const conf = renderHubHttpdConf({ hub, serverName: 'koji-hub' });
  const vhost = /<VirtualHost \*:8443>([\s\S]*?)<\/VirtualHost>/.exec(conf)?.[1] ?? '';
  const location = /<Location \/kojihub\/ssllogin>([\s\S]*?)<\/Location>/.exec(vhost)?.[1] ?? '';
  expect(vhost).toMatch(/^ {4}SSLVerifyClient optional$/m);
  expect(vhost).toMatch(/^ {4}SSLVerifyDepth 10$/m);
  expect(location.trim()).toBe('SSLOptions +StdEnvVars');
  expect(conf).not.toMatch(/SSLVerifyClient require/);
  expect(conf.match(/SSLVerifyClient/g)).toHaveLength(1);
  expect(conf).toMatch(/SSLCACertificateFile \/etc\/koji-pki\/ca\/ca\.crt/);
});

test('keeps the WSGI settings the hub needs', () => {
  const conf = renderHubHttpdConf({ hub, serverName: 'koji-hub' });
  expect(conf).toMatch(/WSGIScriptReloading Off/);
  expect(conf).toMatch(/WSGIApplicationGroup %\{GLOBAL\}/);
  expect(conf).toMatch(/Alias \/kojifiles "\/mnt\/koji\/"/);
});

test('opens the listeners http_enabled and https_enabled ask for', () => {
  const both = renderHubHttpdConf({
    hub: { ...hub, http_enabled: true, https_enabled: true },
    serverName: 'h',
  });
  expect(both).toMatch(/^Listen 8080$/m);
  expect(both).toMatch(/^Listen 8443 https$/m);
  const httpOnly = renderHubHttpdConf({
    hub: { ...hub, http_enabled: true, https_enabled: false },
    serverName: 'h',
  });
  expect(httpOnly).not.toMatch(/8443|SSLEngine/);
  expect(renderHubHttpdConf({ hub, serverName: 'h' })).not.toMatch(/Listen 8080/);
});
