import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../../src/settings/env';
import { loadWebhookSettings, WEBHOOK_VARIABLES } from '../../src/settings/webhook';
import { loadWorkerSettings, WORKER_VARIABLES } from '../../src/settings/worker';
import { SIMULATOR_VARIABLES } from '../../dev/simulator/env';
import { START_VARIABLES } from '../../dev/start-settings';
import { configDir } from '../fixtures/config/write-config';
import { CORRELATION_ENV } from '../helpers/correlation';

const ROOT = join(__dirname, '../..');
const ENTRY_POINTS = [
  'src/api/main.ts',
  'src/worker/main.ts',
  'src/cli/check-main.ts',
  'src/cli/servicenow-script-main.ts',
  'src/cli/catch-up-main.ts',
  'src/cli/backfill-main.ts',
  'dev/start.ts',
  'dev/simulator/main.ts',
];
const files = configDir();
const NO_TARGETS = files.write('no-targets.yaml', 'defaults: { row_key: [id] }');
const KEY = `k:${Buffer.alloc(32).toString('base64')}`;
afterAll(() => files.remove());

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The code of a file without its comments, so prose that names a variable does not count as reading it. */
const code = (path: string) =>
  readFileSync(join(ROOT, path), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
const PRODUCT = sourceFiles('src');
/** The files that see an environment at all (the last tests keep that set to loaders and entry points). */
const readsEnv = (path: string) => /\bEnv\b|ProcessEnv|\bprocess\.env\b/.test(code(path));
const LAUNCHERS = ['dev/start.ts', 'dev/start-settings.ts', 'dev/simulator/env.ts', 'dev/simulator/main.ts'];

/** README "Configuration": variable → webhook | worker | both, from the *Read by* column. */
function readmeReadBy(): Map<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Configuration\n'), readme.indexOf('\n## How an event flows\n'));
  const [header, , ...rows] = section.split('\n').filter((line) => line.startsWith('|'));
  expect(header).toBe('| Variable | Default | Read by | Meaning |');
  const readBy = new Map<string, string>();
  for (const row of rows) {
    const [, variables, , process] = row.split('|').map((cell) => cell.trim());
    for (const [, name] of variables.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) readBy.set(name, process);
  }
  return readBy;
}

/** Names code reads by name: zod object keys, whole-string literals, `env.NAME`; NAME_FILE counts as NAME. */
function namesReadIn(path: string): string[] {
  const text = code(path);
  const names = [
    ...[...text.matchAll(/^\s*([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\??:/gm)].map((m) => m[1]),
    ...[...text.matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)].map((m) => m[1]),
    ...[...text.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]),
  ];
  return names.map((name) => name.replace(/_FILE$/, ''));
}

const undeclaredIn = (path: string, declared: Set<string>) =>
  namesReadIn(path)
    .filter((name) => !declared.has(name))
    .map((name) => `${path}: ${name}`);

/** Runs a loader on `env` and returns every variable name it looked at, read or not set. */
function namesLookedAt(load: (env: Env) => unknown, env: Env, declared: readonly string[]): string[] {
  const seen = new Set<string>();
  const recording = new Proxy(
    { ...env },
    {
      get: (target, name) => (typeof name === 'string' && seen.add(name), Reflect.get(target, name)),
      has: (target, name) => (typeof name === 'string' && seen.add(name), Reflect.has(target, name)),
    },
  );
  load(recording);
  // Only variable-shaped names: libraries also probe objects for e.g. `then`.
  const names = [...seen].filter((name) => /^[A-Z][A-Z0-9_]*$/.test(name)).map((name) => name.replace(/_FILE$/, ''));
  return [...new Set(names)].filter((name) => !declared.includes(name));
}

describe('README settings table', () => {
  it('when the table is read, then its Read by column matches what each loader declares, variable by variable', () => {
    const declared = new Map<string, string>();
    for (const name of WEBHOOK_VARIABLES) declared.set(name, 'webhook');
    for (const name of WORKER_VARIABLES) declared.set(name, declared.has(name) ? 'both' : 'worker');

    expect(Object.fromEntries([...readmeReadBy()].sort())).toEqual(Object.fromEntries([...declared].sort()));
  });
});

describe('declared variables', () => {
  it('when product code names a variable, then a process list declares it', () => {
    const declared = new Set([...WEBHOOK_VARIABLES, ...WORKER_VARIABLES]);
    const undeclared = PRODUCT.filter(readsEnv).flatMap((path) => undeclaredIn(path, declared));

    expect(undeclared).toEqual([]);
  });

  it('when a launcher (npm start, the simulator) names a variable, then its own list declares it', () => {
    const declared = new Set([...START_VARIABLES, ...SIMULATOR_VARIABLES]);
    const undeclared = LAUNCHERS.flatMap((path) => undeclaredIn(path, declared));

    expect(undeclared).toEqual([]);
  });

  const example = { WEBHOOK_SECRET: 's', BRIDGE_CONFIG: join(ROOT, 'examples/bridge.yaml'), ...CORRELATION_ENV };
  // Of the file's secrets the webhook reads only correlation.secret: it signs the row keys the webhook builds.
  it.each([
    ['the minimum', { WEBHOOK_SECRET: 's' }, []],
    ['encryption and a codec server', { WEBHOOK_SECRET: 's', PAYLOAD_ENCRYPTION_KEYS: KEY, CODEC_AUTH_TOKEN: 't' }, []],
    ['the example config file', example, ['BRIDGE_CORRELATION_SECRET']],
  ])('when the webhook loads %s, then it looks only at its declared variables and %j', (_, e, named) => {
    expect(namesLookedAt(loadWebhookSettings, e, WEBHOOK_VARIABLES)).toEqual(named);
  });

  it.each([
    ['basic auth', { SERVICENOW_AUTH: 'basic', SERVICENOW_USERNAME: 'u', SERVICENOW_PASSWORD: 'p' }],
    [
      'OAuth',
      {
        SERVICENOW_AUTH: 'oauth-password',
        SERVICENOW_CLIENT_ID: 'c',
        SERVICENOW_CLIENT_SECRET: 's',
        SERVICENOW_USERNAME: 'u',
        SERVICENOW_PASSWORD: 'p',
      },
    ],
    [
      'an API key, a ticketing queue, notifications and encryption',
      {
        SERVICENOW_AUTH: 'api-key',
        SERVICENOW_API_KEY: 'k',
        TICKETING_TASK_QUEUE: 'q',
        PAYLOAD_ENCRYPTION_KEYS: KEY,
        SMTP_HOST: 'mail',
        NOTIFY_EMAIL_TO: 'a@b.c',
        NOTIFY_EMAIL_FROM: 'b@b.c',
        NOTIFY_WEBHOOK_URL: 'https://hook.test',
      },
    ],
    ['a file without targets', { BRIDGE_CONFIG: NO_TARGETS, SERVICENOW_USERNAME: 'u', SERVICENOW_PASSWORD: 'p' }],
  ])('when the worker loads %s, then it looks only at its declared variables', (_case, overrides) => {
    const env = { SERVICENOW_INSTANCE_URL: 'https://x.service-now.com', ...overrides };

    expect(namesLookedAt(loadWorkerSettings, env, WORKER_VARIABLES)).toEqual([]);
  });
});

describe('who sees the environment', () => {
  it('when product or launcher code mentions process.env, then it is an entry point', () => {
    const readers = [...PRODUCT, ...LAUNCHERS].filter((path) => /\bprocess\.env\b/.test(code(path)));

    expect(readers.sort()).toEqual([...ENTRY_POINTS].sort());
  });

  it('when product code takes an environment, then it is a settings loader under src/settings', () => {
    const takers = PRODUCT.filter(readsEnv);

    expect(takers.filter((path) => !path.startsWith('src/settings/') && !ENTRY_POINTS.includes(path))).toEqual([]);
  });
});
