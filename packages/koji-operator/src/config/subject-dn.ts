// The subject DN of a certificate as Apache's mod_ssl puts it in SSL_CLIENT_S_DN, which is
// what the hub compares ProxyDNs with: RFC 2253, most specific first (CN=kojiweb,OU=web,O=Example).
import { X509Certificate } from 'node:crypto';

// RFC 2253 §2.4: these are escaped with a backslash inside a value.
const escapeValue = (v: string) =>
  v.replace(/[,+"\\<>;]/g, (c) => `\\${c}`).replace(/^[ #]|[ ]$/g, (c) => `\\${c}`);

export function subjectDn(pem: string): string {
  // Node lists the subject one attribute a line, in certificate order (least specific first).
  const attributes = new X509Certificate(pem).subject.split('\n').filter(Boolean);
  return attributes
    .reverse()
    .map((a) => {
      const eq = a.indexOf('=');
      return `${a.slice(0, eq)}=${escapeValue(a.slice(eq + 1))}`;
    })
    .join(',');
}
