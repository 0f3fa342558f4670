import type { KojiHubSpec } from '../api/koji-hub.js';
import { parseIni } from './ini.js';
import { renderHubConf, type HubConfInput } from './hub-conf.js';

const hub: KojiHubSpec = { ca_cert_secret: 'ca', service_cert_secret: 'svc', postgres_secret: 'pg' };
const base: HubConfInput = { hub, proxyDNs: ['CN=kojiweb,OU=web,O=KojiTest'], reachedThroughIngress: true };

function options(input: HubConfInput): Record<string, string> {
  const doc = parseIni(renderHubConf(input).text);
  return Object.fromEntries(doc.find((s) => s.name === 'hub')?.entries.map((e) => [e.key, e.value]) ?? []);
}

test('pins the auth traps: LoginCreatesUser Off, CN usernames, kojiweb DN in ProxyDNs', () => {
  const hubConf = options(base);
  expect(hubConf.LoginCreatesUser).toBe('Off');
  expect(hubConf.DNUsernameComponent).toBe('CN');
  expect(hubConf.ProxyDNs).toBe('CN=kojiweb,OU=web,O=KojiTest');
  expect(hubConf.KojiDir).toBe('/mnt/koji');
  expect(options({ ...base, proxyDNs: ['CN=a', 'CN=b'] }).ProxyDNs).toBe('CN=a|CN=b');
});

test('turns CheckClientIP off exactly when clients come through an Ingress or Route', () => {
  expect(options(base).CheckClientIP).toBe('False');
  expect(options({ ...base, reachedThroughIngress: false }).CheckClientIP).toBe('True');
});

test("moves the Kojira CR's repo settings into the hub options koji 1.35 reads", () => {
  const hubConf = options({
    ...base,
    kojira: {
      hub_host: 'h',
      cacert_secret: 'c',
      client_cert_secret: 'k',
      shared_pvc: 'p',
      hub_username: 'kojira',
      max_repo_tasks: 15,
      repo_tasks_limit: 12,
      src: 'yes',
    },
  });
  expect(hubConf.MaxRepoTasks).toBe('12');
  expect(hubConf.RepoQueueUser).toBe('kojira');
  expect(hubConf.SourceTags).toBe('*');
  expect(hubConf).not.toHaveProperty('max_repo_tasks');
  expect(hubConf).not.toHaveProperty('repo_tasks_limit');
  const noSrc = options({
    ...base,
    kojira: { hub_host: 'h', cacert_secret: 'c', client_cert_secret: 'k', shared_pvc: 'p', src: 'no' },
  });
  expect(noSrc).not.toHaveProperty('SourceTags');
  expect(noSrc).not.toHaveProperty('MaxRepoTasks');
});

test('holds no database password and no removed option', () => {
  const text = renderHubConf({
    ...base,
    override: '[hub]\nAuthPrincipal = host/kojihub@EXAMPLE.COM\nLoginCreateUser = On',
  });
  expect(text.text).not.toMatch(/DBPass|AuthPrincipal|LoginCreateUser\b/);
  expect(text.dropped).toEqual(['hub.AuthPrincipal', 'hub.LoginCreateUser']);
});

test('loads the fedora-messaging plugin only when a broker is configured', () => {
  expect(options(base)).not.toHaveProperty('Plugins');
  expect(options({ ...base, hub: { ...hub, fedora_messaging_url: 'amqps://rabbitmq' } }).Plugins).toBe(
    'koji-fedoramessaging',
  );
});

test("merges the user's hub.conf over the defaults, policy rules included", () => {
  const rendered = renderHubConf({
    ...base,
    override:
      '[hub]\ncheckclientip = True\nEmailDomain = example.com\n[policy]\nbuild_from_srpm =\n    all :: allow',
  });
  const doc = parseIni(rendered.text);
  const hubConf = Object.fromEntries(doc[0]?.entries.map((e) => [e.key, e.value]) ?? []);
  expect(hubConf.CheckClientIP).toBe('True');
  expect(hubConf.EmailDomain).toBe('example.com');
  expect(doc[1]).toEqual({ name: 'policy', entries: [{ key: 'build_from_srpm', value: 'all :: allow' }] });
  expect(rendered.dropped).toEqual([]);
});
