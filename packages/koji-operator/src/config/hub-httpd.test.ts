import type { KojiHubSpec } from '../api/koji-hub.js';
import { httpd, hubPaths } from '../images/contract.js';
import { renderHubHttpdConf } from './hub-httpd.js';

const hub: KojiHubSpec = { ca_cert_secret: 'ca', service_cert_secret: 'svc', postgres_secret: 'pg' };
const vhostOf = (conf: string, port: number) =>
  new RegExp(`<VirtualHost \\*:${port}>([\\s\\S]*?)</VirtualHost>`).exec(conf)?.[1] ?? '';

test('asks for the client certificate on the whole vhost, never per Location', () => {
  const conf = renderHubHttpdConf({ hub, serverName: 'koji-hub' });
  const vhost = vhostOf(conf, 8443);
  const location = /<Location \/kojihub\/ssllogin>([\s\S]*?)<\/Location>/.exec(vhost)?.[1] ?? '';
  expect(vhost).toMatch(/^ {4}SSLVerifyClient optional$/m);
  expect(vhost).toMatch(/^ {4}SSLVerifyDepth 10$/m);
  expect(location.trim()).toBe('SSLOptions +StdEnvVars +ExportCertData');
  expect(conf).not.toMatch(/SSLVerifyClient require/);
  expect(conf.match(/SSLVerifyClient/g)).toHaveLength(1);
  expect(conf).toMatch(/SSLCACertificateFile \/etc\/koji-pki\/ca\/ca\.crt/);
});

test('keeps the WSGI settings the hub needs, pointing at the contract paths', () => {
  const conf = renderHubHttpdConf({ hub, serverName: 'koji-hub' });
  expect(conf).toContain(`Alias /kojihub ${hubPaths.app}`);
  expect(conf).toMatch(/WSGIScriptReloading Off/);
  expect(conf).toMatch(/WSGIApplicationGroup %\{GLOBAL\}/);
  expect(conf).toContain(`SetEnv koji.hub.ConfigDir ${hubPaths.configDropIns}`);
  expect(conf).toMatch(/Alias \/kojifiles "\/mnt\/koji\/"/);
});

test('opens the listeners http_enabled and https_enabled ask for, all unprivileged', () => {
  const both = renderHubHttpdConf({
    hub: { ...hub, http_enabled: true, https_enabled: true },
    serverName: 'h',
  });
  expect(both.match(/^Listen .*$/gm)).toEqual(['Listen 8080', 'Listen 8443 https']);
  const httpOnly = renderHubHttpdConf({
    hub: { ...hub, http_enabled: true, https_enabled: false },
    serverName: 'h',
  });
  expect(httpOnly).not.toMatch(/8443|SSLEngine/);
  expect(renderHubHttpdConf({ hub, serverName: 'h' })).not.toMatch(/Listen 8080/);
});

test('is a whole server config for a non-root httpd: modules of the contract, writable paths only in the run dir', () => {
  const conf = renderHubHttpdConf({ hub, serverName: 'koji-hub' });
  const loaded = [...conf.matchAll(/^LoadModule (\S+) (\S+)$/gm)].map(([, name, file]) => [name, file]);
  expect(loaded).toEqual(Object.entries(httpd.modules).map(([name, file]) => [name, `modules/${file}`]));
  expect(conf).toContain(`ServerRoot "${httpd.serverRoot}"`);
  expect(conf).toContain(`PidFile ${httpd.runDir}/httpd.pid`);
  expect(conf).toMatch(/^ErrorLog \/dev\/stderr$/m);
  // httpd started as non-root cannot switch users, and must not include the image's conf.d.
  expect(conf).not.toMatch(/^\s*(User|Group|Include|IncludeOptional)\b/m);
  expect(conf).toContain(`Alias ${httpd.alivePath} ${httpd.aliveFile}`);
});
