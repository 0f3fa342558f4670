// Per-replica builder certificates: what the builder pods' init container finds in the Secret,
// which Secrets the operator writes (its own) and which it only judges (the user's).
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';

import type { KubeClient } from '@fedora-operators/framework';
import { makeCa } from '../../test/support/test-ca.js';
import { ensureHostCertificates, hostsWithoutCertificate } from './host-certificates.js';
import type { CertificateAuthority } from './issue.js';
import { encodeSecretData } from './secret-data.js';

let ca: CertificateAuthority;
beforeAll(async () => {
  ca = await makeCa();
});

interface StoredSecret {
  metadata: { name: string; labels?: Record<string, string>; resourceVersion?: string };
  data: Record<string, string>;
}

/** find, create and mergePatch of Secrets, in memory; records every write. */
function fakeKube(
  initial: Record<string, { data: Record<string, string>; labels?: Record<string, string> }>,
) {
  const secrets = new Map<string, StoredSecret>(
    Object.entries(initial).map(([name, s]) => [
      name,
      {
        metadata: { name, resourceVersion: '1', ...(s.labels ? { labels: s.labels } : {}) },
        data: encodeSecretData(s.data),
      },
    ]),
  );
  const writes: string[] = [];
  const kube = {
    find: async (_r: unknown, _ns: string, name: string) => secrets.get(name),
    create: async (_r: unknown, body: StoredSecret) => {
      writes.push(`create ${body.metadata.name}`);
      secrets.set(body.metadata.name, body);
      return body;
    },
    mergePatch: async (_r: unknown, _ns: string, name: string, patch: { data: Record<string, string> }) => {
      writes.push(`patch ${name} ${Object.keys(patch.data).sort().join(',')}`);
      const current = secrets.get(name);
      if (!current) throw new Error('not found');
      current.data = { ...current.data, ...patch.data };
      return current;
    },
  } as unknown as KubeClient;
  const text = (name: string) =>
    Object.fromEntries(
      Object.entries(secrets.get(name)?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
    );
  return { kube, writes, text, secrets };
}

const hosts = (n: number, prefix = 'bld') =>
  Array.from({ length: n }, (_, i) => ({ pod: `bld-${i}`, commonName: `${prefix}-${i}` }));
const caSecret = () => ({ data: { 'ca.crt': ca.certPem, 'ca.key': ca.keyPem } });
const spec = (n: number, extra: Partial<Parameters<typeof ensureHostCertificates>[1]> = {}) => ({
  namespace: 'koji',
  secretName: 'bld-certs',
  caSecretName: 'hub-ca',
  hosts: hosts(n),
  ...extra,
});

describe('hostsWithoutCertificate', () => {
  test('client.pem stands in for replica 0 only', () => {
    expect(hostsWithoutCertificate(hosts(2), ['client.pem'])).toEqual(['bld-1']);
    expect(hostsWithoutCertificate(hosts(2), ['client.pem', 'bld-1.pem'])).toEqual([]);
    expect(hostsWithoutCertificate(hosts(2), ['bld-0.pem'])).toEqual(['bld-1']);
  });
});

describe('ensureHostCertificates', () => {
  test('a missing Secret gets one certificate per replica, CN = host name, signed by the CA', async () => {
    const { kube, writes, text } = fakeKube({ 'hub-ca': caSecret() });
    const result = await ensureHostCertificates(kube, spec(2, { hosts: hosts(2, 'build') }));
    expect(result).toEqual({ state: 'issued', issued: ['bld-0', 'bld-1'] });
    expect(writes).toEqual(['create bld-certs']);
    const data = text('bld-certs');
    expect(Object.keys(data).sort()).toEqual(['bld-0.pem', 'bld-1.pem', 'ca.crt']);
    for (const [ordinal, key] of ['bld-0.pem', 'bld-1.pem'].entries()) {
      const pem = data[key] ?? '';
      // Certificate and key in one file, as kojid's `cert` option wants it.
      expect(createPrivateKey(pem).asymmetricKeyType).toBe('rsa');
      expect(pem.indexOf('CERTIFICATE-----')).toBeLessThan(pem.indexOf('PRIVATE KEY-----'));
      const cert = new X509Certificate(pem);
      expect(cert.subject).toBe(`CN=build-${ordinal}`);
      expect(cert.verify(createPublicKey(ca.keyPem))).toBe(true);
    }
  });

  test("a scale-up adds the new replica's certificate to the operator's Secret and keeps the others", async () => {
    const { kube, writes, text } = fakeKube({ 'hub-ca': caSecret() });
    await ensureHostCertificates(kube, spec(1));
    const first = text('bld-certs')['bld-0.pem'];
    expect(await ensureHostCertificates(kube, spec(3))).toEqual({
      state: 'issued',
      issued: ['bld-1', 'bld-2'],
    });
    expect(writes).toEqual(['create bld-certs', 'patch bld-certs bld-1.pem,bld-2.pem']);
    expect(text('bld-certs')['bld-0.pem']).toBe(first);
    // Nothing more to do, nothing written.
    expect(await ensureHostCertificates(kube, spec(3))).toEqual({ state: 'complete' });
    expect(await ensureHostCertificates(kube, spec(1))).toEqual({ state: 'complete' });
    expect(writes).toHaveLength(2);
  });

  test("the user's Secret is never written; replicas without a certificate are named", async () => {
    const { kube, writes } = fakeKube({ 'hub-ca': caSecret(), 'bld-certs': { data: { 'client.pem': 'x' } } });
    expect(await ensureHostCertificates(kube, spec(1))).toEqual({ state: 'complete' });
    const result = await ensureHostCertificates(kube, spec(3));
    expect(result).toMatchObject({ state: 'incomplete', missing: ['bld-1', 'bld-2'] });
    expect(result.state === 'incomplete' && result.message).toMatch(/bld-1\.pem, bld-2\.pem/);
    expect(writes).toEqual([]);
  });

  test('says why it cannot issue: no CA Secret, a CA without its key, no hub to name a CA', async () => {
    const { kube, writes } = fakeKube({ 'ca-only': { data: { 'ca.crt': ca.certPem } } });
    expect(await ensureHostCertificates(kube, spec(1, { caSecretName: 'nope' }))).toMatchObject({
      state: 'unavailable',
      reason: 'CaSecretMissing',
    });
    expect(await ensureHostCertificates(kube, spec(1, { caSecretName: 'ca-only' }))).toMatchObject({
      state: 'unavailable',
      reason: 'CaKeyMissing',
    });
    const noHub = await ensureHostCertificates(kube, spec(1, { caSecretName: undefined }));
    expect(noHub.state === 'unavailable' && noHub.message).toMatch(/no KojiHub/);
    expect(writes).toEqual([]);
  });
});
