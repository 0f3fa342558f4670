// A throwaway PKI for one control plane: a CA, the apiserver's serving cert, an admin
// client cert (system:masters) and the service-account signing key. openssl is used
// because node:crypto cannot issue X.509 certificates.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  saKey: string;
  saPub: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function signLeaf(dir: string, name: string, subject: string, extensions: string, caDir = dir): void {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, extensions);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', key, '-out', csr]);
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    join(caDir, 'ca.crt'),
    '-CAkey',
    join(caDir, 'ca.key'),
    '-CAserial',
    join(dir, `${name}.srl`),
    '-CAcreateserial',
    '-days',
    '30',
    '-out',
    join(dir, `${name}.crt`),
    '-extfile',
    ext,
  ]);
}

/** extraServerIps: more addresses the apiserver's serving certificate names (a real node's IP). */
export function generatePki(dir: string, extraServerIps: string[] = []): Pki {
  mkdirSync(dir, { recursive: true });
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '30',
    '-subj',
    '/CN=testcluster-ca',
    '-keyout',
    join(dir, 'ca.key'),
    '-out',
    join(dir, 'ca.crt'),
  ]);
  signLeaf(
    dir,
    'apiserver',
    '/CN=kube-apiserver',
    [
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=DNS:localhost,IP:127.0.0.1,IP:10.0.0.1,${extraServerIps.map((ip) => `IP:${ip},`).join('')}DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local`,
      '',
    ].join('\n'),
  );
  signLeaf(
    dir,
    'admin',
    '/O=system:masters/CN=testcluster-admin',
    ['keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=clientAuth', ''].join('\n'),
  );
  openssl(['genrsa', '-out', join(dir, 'sa.key'), '2048']);
  openssl(['rsa', '-in', join(dir, 'sa.key'), '-pubout', '-out', join(dir, 'sa.pub')]);
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'apiserver.crt'),
    serverKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    saKey: join(dir, 'sa.key'),
    saPub: join(dir, 'sa.pub'),
  };
}

/** A client certificate (user CN, groups O) signed by the CA in caDir, written to dir/name.{crt,key}. */
export function issueClientCert(
  caDir: string,
  dir: string,
  name: string,
  user: string,
  groups: string[] = [],
): { cert: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const subject = `${groups.map((g) => `/O=${g}`).join('')}/CN=${user}`;
  signLeaf(
    dir,
    name,
    subject,
    ['keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=clientAuth', ''].join('\n'),
    caDir,
  );
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}
