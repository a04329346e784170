import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { RequestListener } from 'node:http';

export interface LoopbackServer {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Closes the server and every open socket, held answers included. */
  close(): Promise<void>;
}

/** Serves `app` on 127.0.0.1 (port 0 = any free one) and tracks sockets so close() never hangs. */
export async function serveOnLoopback(
  app: RequestListener,
  options: { port?: number; host?: string } = {},
): Promise<LoopbackServer> {
  const server = createServer(app);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      }),
  };
}
