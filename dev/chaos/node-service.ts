import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopProcess } from '../temporal/dev-server';

export interface NodeServiceOptions {
  name: string;
  /** A compiled entry point, e.g. dist/src/worker/main.js. */
  script: string;
  env: NodeJS.ProcessEnv;
  /** The service is up once it prints a line containing this (its JSON log `msg`). */
  readyLine: string;
  logFile: string;
  readyTimeoutMs?: number;
  /** Unplanned exits restarted, as a process supervisor would; beyond this the service stays down. */
  maxUnplannedRestarts?: number;
}

const RESTART_PAUSE_MS = 1_000;

/**
 * One bridge process (webhook or worker) under a small supervisor: the chaos schedule kills and
 * restarts it on purpose; an exit nobody asked for is counted and the process restarted.
 */
export class NodeService {
  private child?: ChildProcess;
  private readonly log: WriteStream;
  private planned = false;
  private closed = false;
  unplannedExits = 0;

  constructor(private readonly options: NodeServiceOptions) {
    this.log = createWriteStream(options.logFile, { flags: 'a' });
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, [this.options.script], {
      env: this.options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.planned = false;
    child.stderr?.on('data', (chunk: Buffer) => this.write(chunk.toString()));
    child.once('exit', (code, signal) => void this.onExit(child, code, signal));
    await this.waitUntilReady(child);
  }

  private waitUntilReady(child: ChildProcess): Promise<void> {
    const { name, readyLine, readyTimeoutMs = 60_000 } = this.options;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`${name} not ready after ${readyTimeoutMs} ms`)), readyTimeoutMs);
      const onExit = () => finish(new Error(`${name} exited before it was ready (see ${this.options.logFile})`));
      const finish = (error?: Error) => {
        clearTimeout(timer);
        child.off('exit', onExit);
        if (error) reject(error);
        else resolve();
      };
      child.once('exit', onExit);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        this.write(`${line}\n`);
        if (line.includes(readyLine)) finish();
      });
    });
  }

  private async onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    this.write(`--- ${this.options.name} exited (code ${code}, signal ${signal}) ---\n`);
    if (this.planned || this.closed || child !== this.child) return;
    this.unplannedExits += 1;
    if (this.unplannedExits > (this.options.maxUnplannedRestarts ?? 20)) return;
    await sleep(RESTART_PAUSE_MS);
    if (!this.closed && child === this.child)
      await this.start().catch((error) => this.write(`restart failed: ${error}\n`));
  }

  /** Kills the process (SIGKILL: no drain at all; SIGTERM: its graceful shutdown) and waits for the exit. */
  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.planned = true;
    const exited = once(child, 'exit');
    if (signal === 'SIGKILL') child.kill('SIGKILL');
    else await stopProcess(child, 30_000);
    await exited;
  }

  /**
   * Kills and starts the process again. A start that dies before it is ready (e.g. the worker
   * while Temporal is down) counts as an unplanned exit, and the supervisor keeps restarting it.
   */
  async restart(options: { signal: 'SIGKILL' | 'SIGTERM'; downMs: number }): Promise<void> {
    const begun = Date.now();
    await this.kill(options.signal);
    const stoppedMs = Date.now() - begun;
    await sleep(options.downMs);
    const startedAt = Date.now();
    if (!this.closed)
      await this.start().catch((error) => this.write(`start after ${options.signal} failed: ${error}\n`));
    this.write(
      `--- ${options.signal}: stopped in ${stoppedMs} ms, ready ${Date.now() - startedAt} ms after the start ---\n`,
    );
  }

  /** Output can trail the exit; once the log is closed it is dropped. */
  private write(text: string): void {
    if (!this.log.writableEnded) this.log.write(text);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.child) await stopProcess(this.child, 10_000).catch(() => undefined);
    await new Promise<void>((resolve) => this.log.end(resolve));
  }
}
