// A throwaway CA for unit tests of certificate issuance, made with the same library.
import 'reflect-metadata'; // before @peculiar/x509 (see src/certs/issue.ts)
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

import type { CertificateAuthority } from '../../src/certs/issue.js';

export async function makeCa(options: { ca?: boolean; name?: string } = {}): Promise<CertificateAuthority> {
  const alg = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: `O=KojiTest, CN=${options.name ?? 'Test CA'}`,
      keys,
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + 3650 * 24 * 3600_000),
      extensions: [new x509.BasicConstraintsExtension(options.ca ?? true, undefined, true)],
    },
    webcrypto,
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem'), keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}
