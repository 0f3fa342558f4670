// Issues X.509 certificates signed by a CA whose key the operator holds: client certificates
// (CN = koji user or host name) and koji-hub's server certificate.
//
// Library: @peculiar/x509 on Node's WebCrypto. It is maintained (PeculiarVentures, regular
// releases), pure TypeScript with no native code, and builds and parses certificates with the
// extensions we need. Node's own crypto can parse X.509 but not issue it; node-forge does its
// RSA in JavaScript and lags on maintenance.
//
// Key material never leaves the returned object: nothing here logs, and errors name only the
// certificate's subject, never a key.
// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the
// reflect-metadata polyfill loaded before it.
import 'reflect-metadata';
import { createPrivateKey, createPublicKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';

const crypto = webcrypto;

export type CertificatePurpose = 'client' | 'server';

export interface CertificateAuthority {
  /** The CA certificate (PEM). */
  certPem: string;
  /** Its private key (PEM: PKCS#8, PKCS#1 or SEC1). */
  keyPem: string;
}

export interface CertificateRequest {
  commonName: string;
  purpose: CertificatePurpose;
  /** DNS subjectAltNames (server certificates). */
  dnsNames?: readonly string[];
  /** IP subjectAltNames (server certificates). */
  ipAddresses?: readonly string[];
  /** Default 365. */
  validityDays?: number;
  /** For tests; default now. */
  now?: Date;
}

export interface IssuedCertificate {
  certPem: string;
  /** PKCS#8 PEM. */
  keyPem: string;
  /** The issuing CA's certificate, for ca.crt. */
  caPem: string;
  serialNumber: string;
  notAfter: Date;
}

/** The CA is unusable for signing (not a CA, key does not match, unsupported key type). */
export class CertificateAuthorityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateAuthorityError';
  }
}

// Issued certificates are valid from a little before now, so a node whose clock is slightly
// behind the operator's does not reject a certificate that is "not yet valid".
const CLOCK_SKEW_MS = 5 * 60 * 1000;

interface SigningKey {
  key: webcrypto.CryptoKey;
  algorithm: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams;
  signing: webcrypto.Algorithm | webcrypto.EcdsaParams;
}

async function importSigningKey(keyPem: string): Promise<SigningKey> {
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(keyPem);
  } catch {
    // The parser's message could quote the input: say only what failed.
    throw new CertificateAuthorityError('the CA key is not a readable PEM private key');
  }
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  const type = keyObject.asymmetricKeyType;
  if (type === 'rsa') {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const key = await crypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
    return { key, algorithm, signing: algorithm };
  }
  if (type === 'ec') {
    const curve = keyObject.asymmetricKeyDetails?.namedCurve;
    const namedCurve = curve === 'prime256v1' ? 'P-256' : curve === 'secp384r1' ? 'P-384' : undefined;
    if (!namedCurve) throw new CertificateAuthorityError(`unsupported CA key curve ${curve ?? 'unknown'}`);
    const algorithm = { name: 'ECDSA', namedCurve };
    const key = await crypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
    return {
      key,
      algorithm,
      signing: { name: 'ECDSA', hash: namedCurve === 'P-256' ? 'SHA-256' : 'SHA-384' },
    };
  }
  throw new CertificateAuthorityError(`unsupported CA key type ${type ?? 'unknown'} (RSA or EC P-256/P-384)`);
}

function publicKeysMatch(cert: x509.X509Certificate, keyPem: string): boolean {
  const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  return Buffer.from(cert.publicKey.rawData).equals(fromKey);
}

/** Checks the CA certificate and key and returns them ready for signing. */
async function loadAuthority(
  ca: CertificateAuthority,
): Promise<{ cert: x509.X509Certificate; signer: SigningKey }> {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(ca.certPem);
  } catch {
    throw new CertificateAuthorityError('the CA certificate is not a readable PEM certificate');
  }
  const constraints = cert.getExtension(x509.BasicConstraintsExtension);
  if (!constraints?.ca) {
    throw new CertificateAuthorityError(
      `${cert.subject} is not a CA certificate (basicConstraints CA:FALSE)`,
    );
  }
  const signer = await importSigningKey(ca.keyPem);
  if (!publicKeysMatch(cert, ca.keyPem)) {
    throw new CertificateAuthorityError(`the CA key does not belong to the CA certificate ${cert.subject}`);
  }
  return { cert, signer };
}

/** Issues a certificate for request, signed by ca, with a fresh RSA 2048 key. */
export async function issueCertificate(
  ca: CertificateAuthority,
  request: CertificateRequest,
): Promise<IssuedCertificate> {
  const { cert: caCert, signer } = await loadAuthority(ca);
  const now = request.now ?? new Date();
  const notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
  const notAfter = new Date(now.getTime() + (request.validityDays ?? 365) * 24 * 3600 * 1000);
  if (notAfter > caCert.notAfter) {
    // A leaf outliving its CA is rejected by verifiers anyway; cap it so the failure is visible
    // as the CA's expiry, not as a confusing chain error.
    notAfter.setTime(caCert.notAfter.getTime());
  }
  // RSA 2048: what examples/gen-certs.sh issues, and what every koji client and httpd accept.
  const keys = (await crypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  )) as webcrypto.CryptoKeyPair;

  const caSki = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension(
      [request.purpose === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
      false,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
    caSki
      ? new x509.AuthorityKeyIdentifierExtension(caSki.keyId, false)
      : await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false, crypto),
  ];
  const altNames = [
    ...(request.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(request.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (altNames.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(altNames, false));

  // Positive 128-bit serial (RFC 5280 allows up to 20 octets; the top bit clear keeps it positive).
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serial.toString('hex'),
      subject: [{ CN: [request.commonName] }],
      issuer: caCert.subjectName,
      notBefore,
      notAfter,
      signingAlgorithm: signer.signing,
      publicKey: keys.publicKey,
      signingKey: signer.key,
      extensions,
    },
    crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    certPem: cert.toString('pem') + '\n',
    keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') + '\n',
    caPem: caCert.toString('pem') + '\n',
    serialNumber: cert.serialNumber,
    notAfter: cert.notAfter,
  };
}
