import type { KojiraSpec } from '../api/kojira.js';
import { parseIni } from './ini.js';
import { kojiraOptions } from './known-options.js';
import { renderKojiraConf } from './kojira-conf.js';

// The proposal's Kojira.
const kojira: KojiraSpec = {
  configmap: 'kojira-config',
  hub_username: 'kojira',
  hub_host: 'koji-hub:8443',
  src: 'no',
  max_repo_tasks: 15,
  repo_tasks_limit: 15,
  cacert_secret: 'koji-hub-ca-cert',
  client_cert_secret: 'kojira-client-cert',
  shared_pvc: 'koji-hub-mnt-pvc',
};

test('writes only connection settings; the repo-task limits are hub options since 1.35', () => {
  const doc = parseIni(renderKojiraConf({ kojira }).text);
  expect(doc).toEqual([
    {
      name: 'kojira',
      entries: [
        { key: 'server', value: 'https://koji-hub:8443/kojihub' },
        { key: 'topdir', value: '/mnt/koji' },
        { key: 'cert', value: '/etc/koji-pki/client/client.pem' },
        { key: 'serverca', value: '/etc/koji-pki/ca/ca.crt' },
      ],
    },
  ]);
});

test('drops ConfigMap keys kojira does not read, legacy ones included', () => {
  const rendered = renderKojiraConf({
    kojira,
    override: '[kojira]\nsleeptime = 30\nmax_repo_tasks = 4\nwith_src = no\nbogus = 1',
  });
  const entries = parseIni(rendered.text)[0]?.entries ?? [];
  expect(entries.find((e) => e.key === 'sleeptime')?.value).toBe('30');
  expect(rendered.dropped).toEqual(['kojira.max_repo_tasks', 'kojira.with_src', 'kojira.bogus']);
  const known = new Set(kojiraOptions);
  for (const { key } of entries) expect(known).toContain(key);
});

test("doubles '%' because kojira's parser interpolates", () => {
  const text = renderKojiraConf({ kojira: { ...kojira, hub_host: 'https://hub/a%20b' } }).text;
  expect(text).toMatch(/^server = https:\/\/hub\/a%%20b\/kojihub$/m);
});
