// /healthz (the process serves), /readyz (every watch has its initial list, plus warnings
// that do not make it unready, e.g. a served namespace that does not exist), /metrics.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthServerOptions {
  port: number;
  host?: string;
  ready: () => boolean;
  /** Lines added to /readyz's answer (warnings that do not make it unready). */
  warnings?: () => string[];
  registry: Registry;
}

export async function startHealthServer(
  options: HealthServerOptions,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' || path === '/livez') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const ready = options.ready();
      const lines = [
        ready ? 'ok' : 'not synced',
        ...(options.warnings?.() ?? []).map((w) => `warning: ${w}`),
      ];
      res.writeHead(ready ? 200 : 503, { 'Content-Type': 'text/plain' }).end(`${lines.join('\n')}\n`);
    } else if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': options.registry.contentType }).end(text),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
