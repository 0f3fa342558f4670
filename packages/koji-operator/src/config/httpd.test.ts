// Every directive the rendered httpd configs use comes from a module they load: httpd refuses to
// start on an unknown directive ("Invalid command"), and the configs load only the contract's
// modules (no conf.modules.d), so a directive of an unloaded module is a pod that never starts.
import type { KojiHubSpec } from '../api/koji-hub.js';
import { httpd } from '../images/contract.js';
import { renderHubHttpdConf } from './hub-httpd.js';
import { renderWebHttpdConf } from './web-httpd.js';

// Directive -> the module that provides it (httpd 2.4 and mod_wsgi documentation).
const providers: [RegExp, string][] = [
  [/^(SetEnv|UnsetEnv|PassEnv)$/, 'env_module'],
  [/^SSL/, 'ssl_module'],
  [/^WSGI/, 'wsgi_module'],
  [/^(Alias|AliasMatch|Redirect|ScriptAlias)$/, 'alias_module'],
  [/^(IndexOptions|IndexIgnore|HeaderName|ReadmeName)$/, 'autoindex_module'],
  [/^(LogFormat|CustomLog)$/, 'log_config_module'],
  [/^(TypesConfig|AddType)$/, 'mime_module'],
  [/^Require$/, 'authz_core_module'],
  [/^DirectoryIndex$/, 'dir_module'],
  [
    /^(StartServers|MinSpareServers|MaxSpareServers|MaxRequestWorkers|MaxConnectionsPerChild)$/,
    'mpm_prefork_module',
  ],
];

const hub: KojiHubSpec = {
  ca_cert_secret: 'ca',
  service_cert_secret: 'svc',
  postgres_secret: 'pg',
  http_enabled: true,
  https_enabled: true,
};

test.each([
  ['koji-hub', renderHubHttpdConf({ hub, serverName: 'h' })],
  ['kojiweb over HTTP', renderWebHttpdConf({ serverName: 'w', tls: false })],
  ['kojiweb over HTTPS', renderWebHttpdConf({ serverName: 'w', tls: true })],
])('%s: every directive is provided by a loaded module', (_, conf) => {
  const loaded = new Set([...conf.matchAll(/^LoadModule (\S+)/gm)].map(([, m]) => m));
  expect([...loaded].sort()).toEqual(Object.keys(httpd.modules).sort());
  const unprovided: string[] = [];
  for (const [, directive] of conf.matchAll(/^\s*([A-Z]\w+)\b/gm)) {
    const module = providers.find(([pattern]) => pattern.test(directive ?? ''))?.[1];
    if (module && !loaded.has(module)) unprovided.push(`${directive} needs ${module}`);
  }
  expect([...new Set(unprovided)]).toEqual([]);
});
