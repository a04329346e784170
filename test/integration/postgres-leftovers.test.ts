import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { eventually } from '../helpers/stack';

/*
 * A jest run killed with SIGKILL runs no exit handler and no afterAll: the PostgreSQL servers its suites started
 * (test/helpers/postgres.ts) stayed up, data directories and all, until someone found them with `ps`.
 */
const TS_REGISTER = path.resolve(__dirname, '..', 'observability', 'ts-register.js');
const SERVER = path.resolve(__dirname, '..', '..', 'dev', 'postgres', 'server');
/** Starts a server and holds it, busy with a test as a jest worker is, saying its pid and where its data is. */
const HOLDER = `setInterval(() => {}, 1000);
require(${JSON.stringify(SERVER)}).startPostgres().then((pg) => console.log(process.pid, pg.dataDir));`;
/** A jest run's main process: runs the holder as its worker, over IPC. */
const RUN = `require('node:child_process').spawn(process.execPath, ['-r', ${JSON.stringify(TS_REGISTER)}, '-e', ${JSON.stringify(HOLDER)}],
  { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });`;
/** How long the server may outlive what was killed. */
const BOUND_MS = 15_000;

const holders: number[] = [];
afterAll(() => holders.forEach((pid) => process.kill(pid, 'SIGKILL')));

/** Alive and not a zombie (an orphan whose exit nobody has collected yet has stopped all the same). */
function running(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

test.each([
  ['the process holding a server', ['-r', TS_REGISTER, '-e', HOLDER]],
  ['the parent of a worker holding a server (a jest run)', ['-e', RUN]],
])('when %s is killed with SIGKILL, then the server stops and its data directory goes', async (_what, args) => {
  const killed = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(killed.stdout!, 'data')) as [Buffer];
  const [holder, dataDir] = line.toString().trim().split(' ');
  if (Number(holder) !== killed.pid) holders.push(Number(holder));
  const postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  expect(running(postmaster)).toBe(true);

  killed.kill('SIGKILL');
  await eventually(() => (!running(postmaster) && !existsSync(dataDir)) || undefined, {
    timeoutMs: BOUND_MS,
    what: () => `postgres ${postmaster} to stop (running: ${running(postmaster)}) and ${dataDir} to go`,
  });
});
