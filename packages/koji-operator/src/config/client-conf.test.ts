import { parseIni } from './ini.js';
import { renderClientConf } from './client-conf.js';
import { clientOptions } from './known-options.js';

test('configures the admin CLI for SSL login with the mounted certificate', () => {
  const doc = parseIni(renderClientConf({ hubAddress: 'koji-hub:8443' }));
  expect(doc).toEqual([
    {
      name: 'koji',
      entries: [
        { key: 'server', value: 'https://koji-hub:8443/kojihub' },
        { key: 'topurl', value: 'https://koji-hub:8443/kojifiles' },
        { key: 'topdir', value: '/mnt/koji' },
        { key: 'authtype', value: 'ssl' },
        { key: 'cert', value: '/etc/koji-pki/client/client.pem' },
        { key: 'serverca', value: '/etc/koji-pki/ca/ca.crt' },
      ],
    },
  ]);
  for (const { key } of doc[0]?.entries ?? []) expect(clientOptions).toContain(key);
});
