import type { KojiBuilderSpec } from '../api/koji-builder.js';
import { parseIni } from './ini.js';
import { kojidOptions } from './known-options.js';
import { renderKojidConf } from './kojid-conf.js';

// The proposal's KojiBuilder.
const builder: KojiBuilderSpec = {
  replicas: 1,
  configmap: 'koji-builder-configmap',
  cacert_secret: 'koji-hub-ca-cert',
  client_cert_secret: 'koji-builder-client-cert',
  koji_hub_user: '',
  koji_hub_url: 'https://koji-hub:8443',
  max_jobs: 5,
  vendor: 'MBox',
  host_archs: ['x86_64'],
  channels: ['default', 'createrepo'],
  host_name: 'koji-hub:8443',
  ssl_verify: false,
  shared_pvc: 'koji-hub-mnt-pvc',
};

function render(spec: KojiBuilderSpec, override?: string) {
  const rendered = renderKojidConf({ builder: spec, override });
  const doc = parseIni(rendered.text);
  return {
    doc,
    dropped: rendered.dropped,
    opts: Object.fromEntries(doc[0]?.entries.map((e) => [e.key, e.value]) ?? []),
  };
}

test('maps the CR fields to the kojid options of the same meaning', () => {
  const { doc, opts } = render(builder);
  expect(doc.map((s) => s.name)).toEqual(['kojid']);
  expect(opts).toEqual({
    server: 'https://koji-hub:8443/kojihub',
    topurl: 'https://koji-hub:8443/kojifiles',
    topdir: '/mnt/koji',
    workdir: '/var/tmp/koji',
    cert: '/etc/koji-pki/client/client.pem',
    serverca: '/etc/koji-pki/ca/ca.crt',
    no_ssl_verify: 'True',
    maxjobs: '5',
    vendor: 'MBox',
  });
});

test('writes no_ssl_verify as the inverse of ssl_verify', () => {
  expect(render({ ...builder, ssl_verify: true }).opts.no_ssl_verify).toBe('False');
  expect(render({ ...builder, ssl_verify: undefined }).opts.no_ssl_verify).toBe('False');
});

test('keeps arches, channels and host name out of kojid.conf: they are hub data', () => {
  const text = renderKojidConf({ builder }).text;
  expect(text).not.toMatch(/x86_64|createrepo|arch|channel|host_name|capacity/);
});

test('writes user only when koji_hub_user is set', () => {
  expect(render(builder).opts).not.toHaveProperty('user');
  expect(render({ ...builder, koji_hub_user: 'builder1' }).opts.user).toBe('builder1');
});

test('never lets a key kojid does not read into the file, whatever the ConfigMap says', () => {
  const { doc, opts, dropped } = render(
    builder,
    '[kojid]\nmaxjobs = 2\nhost_archs = x86_64\nallowed_scms = example.org:/*:no\n[extra]\nfoo = bar\n',
  );
  expect(opts.maxjobs).toBe('2');
  expect(opts.allowed_scms).toBe('example.org:/*:no');
  expect(dropped).toEqual(['kojid.host_archs', '[extra]']);
  expect(doc.map((s) => s.name)).toEqual(['kojid']);
  const known = new Set(kojidOptions);
  for (const key of Object.keys(opts)) expect(known).toContain(key);
});
