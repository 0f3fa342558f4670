import type { KojiBuilder } from '../api/koji-builder.js';
import type { KojiHost } from '../koji/index.js';
import { channelChanges, hostEdits, retiredHostNames, wantedHosts } from './builder-hosts.js';

const builder = (spec: Partial<KojiBuilder['spec']>): KojiBuilder => ({
  metadata: { name: 'bld', namespace: 'koji' },
  spec: { cacert_secret: 'ca', client_cert_secret: 'c', koji_hub_url: 'https://h', shared_pvc: 'p', ...spec },
});

const host = (over: Partial<KojiHost>): KojiHost => ({
  id: 1,
  user_id: 2,
  name: 'bld-0',
  update_ts: null,
  ready: false,
  task_load: 0,
  arches: 'x86_64',
  capacity: 2,
  description: null,
  comment: null,
  enabled: true,
  ...over,
});

describe('wantedHosts', () => {
  test('one host per replica, named after the StatefulSet pods', () => {
    const hosts = wantedHosts(builder({ replicas: 3, host_archs: ['aarch64'], channels: ['createrepo'] }));
    expect(hosts.map((h) => h.name)).toEqual(['bld-0', 'bld-1', 'bld-2']);
    expect(hosts[2]).toMatchObject({ arches: ['aarch64'], channels: ['createrepo'] });
  });

  test('defaults: 1 replica, x86_64, the default channel; 0 replicas wants none', () => {
    expect(wantedHosts(builder({}))).toEqual([
      expect.objectContaining({ name: 'bld-0', arches: ['x86_64'], channels: ['default'] }),
    ]);
    expect(wantedHosts(builder({ replicas: 0 }))).toEqual([]);
  });
});

test('retiredHostNames: only this builder’s hosts at or above the replica count', () => {
  const names = ['bld-0', 'bld-1', 'bld-10', 'bld-x', 'bld-1-0', 'other-3', 'bld.a-5'];
  expect(retiredHostNames('bld', names, 1)).toEqual(['bld-1', 'bld-10']);
  expect(retiredHostNames('bld', names, 0)).toEqual(['bld-0', 'bld-1', 'bld-10']);
  // A dot in the prefix is literal, not "any character".
  expect(retiredHostNames('bld.a', ['bldxa-5', 'bld.a-5'], 0)).toEqual(['bld.a-5']);
});

test('hostEdits: only what differs from koji’s record', () => {
  const wanted = { name: 'bld-0', arches: ['x86_64', 'noarch'], channels: [], description: 'd' };
  expect(hostEdits(host({ arches: 'x86_64 noarch', description: 'd' }), wanted)).toEqual({});
  expect(hostEdits(host({}), { ...wanted, capacity: 4 })).toEqual({
    arches: 'x86_64 noarch',
    description: 'd',
    capacity: 4,
  });
});

test('channelChanges', () => {
  expect(channelChanges(['default', 'livecd'], ['default', 'createrepo'])).toEqual({
    add: ['createrepo'],
    remove: ['livecd'],
  });
});
