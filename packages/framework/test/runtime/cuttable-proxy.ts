// A loopback TCP proxy in front of the apiserver that a test can cut: after cut(), bytes stop
// flowing both ways on every connection and new connections are accepted but never
// forwarded, as a network partition looks to a client (hangs and timeouts, not refusals).
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface CuttableProxy {
  /** The proxy's address, to put in a kubeconfig in place of the apiserver's. */
  url: string;
  cut(): void;
  close(): Promise<void>;
}

export async function startCuttableProxy(target: URL): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  let cut = false;
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (cut) return; // held open, never forwarded
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('data', (chunk) => {
      if (!cut) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!cut) client.write(chunk);
    });
    client.on('end', () => !cut && upstream.end());
    upstream.on('end', () => !cut && client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `${target.protocol}//127.0.0.1:${port}`,
    cut: () => {
      cut = true;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
