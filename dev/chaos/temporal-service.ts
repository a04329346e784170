import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, startDevServer, type DevServer } from '../temporal/dev-server';

/**
 * The Temporal dev server on a SQLite file and a fixed port, so it can be stopped (gracefully or
 * with SIGKILL) and started again on the same database while the bridge keeps its address.
 */
export class TemporalService {
  private server?: DevServer;
  private closed = false;

  private constructor(
    private readonly cliPath: string,
    private readonly dbFile: string,
    private readonly port: number,
  ) {}

  static async start(options: { cliPath: string; dbFile: string }): Promise<TemporalService> {
    const service = new TemporalService(options.cliPath, options.dbFile, await freePort());
    await service.boot();
    return service;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  private async boot(): Promise<void> {
    this.server = await startDevServer({
      cliPath: this.cliPath,
      port: this.port,
      headless: true,
      dbFile: this.dbFile,
      startupTimeoutMs: 60_000,
    });
  }

  async restart(options: { signal: 'SIGKILL' | 'SIGTERM'; downMs: number }): Promise<void> {
    const server = this.server;
    if (server && server.process.exitCode === null && server.process.signalCode === null) {
      if (options.signal === 'SIGTERM') await server.stop();
      else {
        const exited = once(server.process, 'exit');
        server.process.kill('SIGKILL');
        await exited;
      }
    }
    await sleep(options.downMs);
    if (!this.closed) await this.boot();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.server?.stop();
  }
}
