import { httpd, webPaths } from '../images/contract.js';
import { renderWebHttpdConf } from './web-httpd.js';

test('serves kojiweb from a UTF-8 daemon process with its static files, as koji packages it', () => {
  const conf = renderWebHttpdConf({ serverName: 'koji-web', tls: false });
  expect(conf).toContain(`Alias /koji "${webPaths.app}"`);
  expect(conf).toMatch(/^WSGIDaemonProcess koji lang=C\.UTF-8/m);
  expect(conf).toMatch(/^ {4}WSGIProcessGroup koji$/m);
  expect(conf).toContain(`WSGISocketPrefix ${httpd.runDir}/wsgi`);
  expect(conf).toContain(`Alias /koji-static/ "${webPaths.staticDir}/"`);
});

test("the daemon's working directory is kojiweb's own, whatever home the image gives its user", () => {
  // mod_wsgi changes into the user's home; a uid without one (an image's /nonexistent) left the
  // daemon unconfigured and every page hanging until the readiness probe timed out.
  const conf = renderWebHttpdConf({ serverName: 'koji-web', tls: false });
  expect(conf).toMatch(new RegExp(`^WSGIDaemonProcess koji .* home=${webPaths.appDir}$`, 'm'));
});

test('without a server certificate: plain HTTP on 8080 only, no TLS', () => {
  const conf = renderWebHttpdConf({ serverName: 'koji-web', tls: false });
  expect(conf.match(/^Listen .*$/gm)).toEqual(['Listen 8080']);
  expect(conf).not.toMatch(/SSL/);
});

test('with one: HTTPS on 8443 asking for client certificates on the vhost, cert data on /koji/login', () => {
  const conf = renderWebHttpdConf({ serverName: 'koji.example.com', tls: true });
  expect(conf.match(/^Listen .*$/gm)).toEqual(['Listen 8443 https']);
  const vhost = /<VirtualHost \*:8443>([\s\S]*?)<\/VirtualHost>/.exec(conf)?.[1] ?? '';
  expect(vhost).toMatch(/^ {4}SSLVerifyClient optional$/m);
  const login = /<Location \/koji\/login>([\s\S]*?)<\/Location>/.exec(vhost)?.[1] ?? '';
  expect(login.trim()).toBe('SSLOptions +StdEnvVars +ExportCertData');
  expect(conf).not.toMatch(/SSLVerifyClient require/);
});
