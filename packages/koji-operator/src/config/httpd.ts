// What the hub's and kojiweb's httpd configurations share: the whole server (modules, non-root
// runtime paths, logs to the container's stdout/stderr, the liveness file) and the listeners.
// The image's own httpd.conf and conf.d are never read, so nothing listens on 80/443 as root.
import { httpd, httpPorts, pkiFiles } from '../images/contract.js';

export interface HttpdServerInput {
  serverName: string;
  /** Tuning for this app's MPM; see the callers. */
  mpm: string;
}

export function httpdServer({ serverName, mpm }: HttpdServerInput): string {
  const modules = Object.entries(httpd.modules)
    .map(([name, file]) => `LoadModule ${name} ${httpd.modulesDir}/${file}`)
    .join('\n');
  return `ServerRoot "${httpd.serverRoot}"
${modules}

ServerName ${serverName}
ServerTokens Prod
ServerSignature Off
TraceEnable Off
# Non-root: every path httpd writes is the writable ${httpd.runDir} volume.
PidFile ${httpd.runDir}/httpd.pid
DefaultRuntimeDir ${httpd.runDir}
Mutex file:${httpd.runDir} default
ErrorLog /dev/stderr
LogLevel warn
LogFormat "%h %l %u %t \\"%r\\" %>s %b %D" koji
CustomLog /dev/stdout koji
TypesConfig ${httpd.mimeTypes}
${mpm}
<Directory />
    AllowOverride None
    Require all denied
</Directory>

# The liveness probe's target: httpd answers without running any koji code.
Alias ${httpd.alivePath} ${httpd.aliveFile}
<Location ${httpd.alivePath}>
    Require all granted
</Location>
`;
}

/** The body of alive.txt, the file the liveness probe fetches. */
export const httpdAliveText = 'httpd is serving\n';

export function plainListener(body = ''): string {
  return `Listen ${httpPorts.http}
<VirtualHost *:${httpPorts.http}>
${body}</VirtualHost>
`;
}

// The client certificate is asked for on the whole vhost, during the handshake. A
// per-Location "SSLVerifyClient require" makes httpd renegotiate, which TLS 1.3 can only do
// by post-handshake auth; Node's TLS client and Python's requests cannot ("Cannot perform
// Post-Handshake Authentication"). "optional" is safe: koji logs in only SSL_CLIENT_VERIFY=SUCCESS.
export function tlsListener(loginPath: string, body = ''): string {
  return `Listen ${httpPorts.https} https
SSLSessionCache shmcb:${httpd.runDir}/sslcache(512000)
SSLProtocol all -SSLv3 -TLSv1 -TLSv1.1
<VirtualHost *:${httpPorts.https}>
    SSLEngine on
    SSLCertificateFile ${pkiFiles.serviceCert}
    SSLCertificateKeyFile ${pkiFiles.serviceKey}
    SSLCACertificateFile ${pkiFiles.caCert}
    SSLVerifyClient optional
    SSLVerifyDepth 10
    <Location ${loginPath}>
        SSLOptions +StdEnvVars +ExportCertData
    </Location>
${body}</VirtualHost>
`;
}
