import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';

export interface SwitchableProxy {
  /** host:port to dial instead of the target. */
  address: string;
  /** Off: every open connection is reset and new ones are reset on accept, like a dead Temporal frontend. */
  setReachable(reachable: boolean): void;
  refusedConnections(): number;
  close(): Promise<void>;
}

/** A loopback TCP forwarder to `target` (host:port) that can be switched off and on. */
export async function startSwitchableProxy(target: string): Promise<SwitchableProxy> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const open = new Set<Socket>();
  let reachable = true;
  let refused = 0;
  const server = createServer((client) => {
    if (!reachable) {
      refused += 1;
      return void client.resetAndDestroy();
    }
    const upstream = createConnection({ host, port });
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    address: `127.0.0.1:${(server.address() as { port: number }).port}`,
    setReachable(value) {
      reachable = value;
      if (!value) for (const socket of open) socket.resetAndDestroy();
    },
    refusedConnections: () => refused,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
