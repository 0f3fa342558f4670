// Certificate issuance: what a verifier (koji-hub's mod_ssl, Node's TLS) checks in an issued
// certificate, and that key material never reaches a log line.
import 'reflect-metadata'; // before @peculiar/x509 (see issue.ts)
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import * as x509 from '@peculiar/x509';

import type { KubeClient } from '@fedora-operators/framework';
import { CertificateAuthorityError, issueCertificate, type CertificateAuthority } from './issue.js';
import { ensureCertificateSecret } from './certificate-secret.js';
import { makeCa } from '../../test/support/test-ca.js';
import { encodeSecretData } from './secret-data.js';

let ca: CertificateAuthority;
beforeAll(async () => {
  ca = await makeCa();
});

describe('issueCertificate', () => {
  test('a client certificate: CN, issuer, validity, key usage, signature by the CA', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const issued = await issueCertificate(ca, {
      commonName: 'kojira',
      purpose: 'client',
      validityDays: 30,
      now,
    });
    const cert = new X509Certificate(issued.certPem);
    const caCert = new X509Certificate(ca.certPem);
    expect(cert.subject).toBe('CN=kojira');
    expect(cert.issuer).toBe(caCert.subject);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(new Date(cert.validFrom).getTime()).toBeLessThan(now.getTime());
    expect(new Date(cert.validTo).getTime()).toBe(now.getTime() + 30 * 24 * 3600_000);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // extendedKeyUsage clientAuth only
    const parsed = new x509.X509Certificate(issued.certPem);
    const usage = parsed.getExtension(x509.KeyUsagesExtension);
    expect(usage?.critical).toBe(true);
    expect(usage?.usages).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
    // The returned key is the certificate's own.
    expect(cert.checkPrivateKey(createPrivateKey(issued.keyPem))).toBe(true);
    expect(issued.caPem.trim()).toBe(ca.certPem.trim());
  });

  test('a server certificate carries serverAuth and the subjectAltNames', async () => {
    const issued = await issueCertificate(ca, {
      commonName: 'koji-hub',
      purpose: 'server',
      dnsNames: ['koji-hub', 'koji-hub.koji.svc'],
      ipAddresses: ['127.0.0.1'],
    });
    const cert = new X509Certificate(issued.certPem);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(cert.subjectAltName).toBe('DNS:koji-hub, DNS:koji-hub.koji.svc, IP Address:127.0.0.1');
    expect(cert.checkHost('koji-hub.koji.svc')).toBe('koji-hub.koji.svc');
  });

  test('serial numbers differ between certificates', async () => {
    const [a, b] = await Promise.all([
      issueCertificate(ca, { commonName: 'a', purpose: 'client' }),
      issueCertificate(ca, { commonName: 'a', purpose: 'client' }),
    ]);
    expect(a.serialNumber).not.toBe(b.serialNumber);
  });

  test('refuses a certificate that is not a CA, and a key that is not the CA certificate’s', async () => {
    const leaf = await makeCa({ ca: false });
    await expect(issueCertificate(leaf, { commonName: 'x', purpose: 'client' })).rejects.toThrow(
      /not a CA certificate/,
    );
    const other = await makeCa({ name: 'Other CA' });
    await expect(
      issueCertificate({ certPem: ca.certPem, keyPem: other.keyPem }, { commonName: 'x', purpose: 'client' }),
    ).rejects.toThrow(CertificateAuthorityError);
    await expect(
      issueCertificate({ certPem: ca.certPem, keyPem: 'not a key' }, { commonName: 'x', purpose: 'client' }),
    ).rejects.toThrow('the CA key is not a readable PEM private key');
  });

  test('accepts the CA key as PKCS#1 too (what older openssl writes)', async () => {
    const pkcs1 = createPrivateKey(ca.keyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
    const issued = await issueCertificate(
      { certPem: ca.certPem, keyPem: pkcs1 },
      { commonName: 'y', purpose: 'client' },
    );
    expect(new X509Certificate(issued.certPem).verify(createPublicKey(ca.keyPem))).toBe(true);
  });
});

describe('ensureCertificateSecret', () => {
  /** An in-memory stand-in for the two calls it makes: find and create Secrets. */
  function fakeKube(secrets: Record<string, Record<string, string>>) {
    const created: { metadata: { name: string }; data: Record<string, string> }[] = [];
    const kube = {
      find: async (_r: unknown, _ns: string, name: string) =>
        secrets[name] ? { metadata: { name }, data: encodeSecretData(secrets[name]) } : undefined,
      create: async (_r: unknown, body: { metadata: { name: string }; data: Record<string, string> }) => {
        created.push(body);
        return body;
      },
    } as unknown as KubeClient;
    return { kube, created };
  }

  test('issues into a missing Secret with the gen-certs.sh layout, and logs no key material', async () => {
    const { kube, created } = fakeKube({ 'koji-ca': { 'ca.crt': ca.certPem, 'tls.key': ca.keyPem } });
    const lines: string[] = [];
    const logger = {
      info: (m: string, meta?: Record<string, unknown>) => lines.push(m + JSON.stringify(meta ?? {})),
    };
    const result = await ensureCertificateSecret(
      kube,
      { namespace: 'koji', secretName: 'kojira-cert', caSecretName: 'koji-ca', commonName: 'kojira' },
      logger,
    );
    expect(result.state).toBe('issued');
    const [secret] = created;
    const data = Object.fromEntries(
      Object.entries(secret?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
    );
    expect(Object.keys(data).sort()).toEqual(['ca.crt', 'client.pem', 'tls.crt', 'tls.key']);
    expect(data['client.pem']).toBe((data['tls.crt'] ?? '') + (data['tls.key'] ?? ''));
    expect(new X509Certificate(data['tls.crt'] ?? '').subject).toBe('CN=kojira');
    const log = lines.join('\n');
    expect(log).toContain('kojira-cert');
    // Neither the issued key nor the CA key, in PEM or as the Secret's base64, is in the log.
    for (const key of [data['tls.key'] ?? '', ca.keyPem]) {
      const body = key.split('\n').slice(1, 3).join('');
      expect(body.length).toBeGreaterThan(40);
      expect(log).not.toContain(body.slice(0, 40));
      expect(log).not.toContain(Buffer.from(key).toString('base64').slice(0, 40));
    }
    expect(log).not.toMatch(/PRIVATE KEY/);
  });

  test('leaves an existing Secret alone', async () => {
    const { kube, created } = fakeKube({
      mine: { 'tls.crt': 'x' },
      'koji-ca': { 'ca.crt': ca.certPem, 'ca.key': ca.keyPem },
    });
    expect(
      await ensureCertificateSecret(kube, {
        namespace: 'k',
        secretName: 'mine',
        caSecretName: 'koji-ca',
        commonName: 'a',
      }),
    ).toEqual({ state: 'present' });
    expect(created).toEqual([]);
  });

  test('says why it cannot issue: no CA Secret, or a CA Secret without a key', async () => {
    const { kube } = fakeKube({ 'ca-only': { 'ca.crt': ca.certPem } });
    expect(
      await ensureCertificateSecret(kube, {
        namespace: 'k',
        secretName: 's',
        caSecretName: 'nope',
        commonName: 'a',
      }),
    ).toMatchObject({ state: 'unavailable', reason: 'CaSecretMissing' });
    expect(
      await ensureCertificateSecret(kube, {
        namespace: 'k',
        secretName: 's',
        caSecretName: 'ca-only',
        commonName: 'a',
      }),
    ).toMatchObject({ state: 'unavailable', reason: 'CaKeyMissing' });
  });
});
