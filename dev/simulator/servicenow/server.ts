import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { Secret } from '../../../src/common/secret';
import { agentUpdate, outboundControls, type OutboundControls } from './agent';
import { buildApp, type AppDeps } from './app';
import { BusinessRule, type BusinessRuleConfig } from './business-rule';
import { DIRECTORY_TABLES, seedGroups, seedUsers } from './directory';
import { PendingCommits } from './delayed-commit';
import { FaultState, type FaultConfig } from './faults';
import { RateLimiter } from './rate-limit';
import { createRng } from './rng';
import { StatsRecorder, type SimulatorStats } from './stats';
import { RecordStore, type JournalEntry, type SimRecord } from './store';
import { TokenStore } from './tokens';

export type { FaultConfig } from './faults';
export type { BusinessRuleConfig } from './business-rule';
export type { SimulatorStats } from './stats';
export type { JournalEntry, SimRecord } from './store';

export interface SimulatorUser {
  username: string;
  password: string;
}

export interface SimulatorOptions {
  /** 0 = a random free port. */
  port?: number;
  /** Default 127.0.0.1. The /_sim admin API has no auth: keep the simulator on loopback. */
  host?: string;
  /** Basic and OAuth password-grant users; default bridge / bridge-password. */
  users?: SimulatorUser[];
  /** Default one client: bridge-client / bridge-client-secret. */
  oauthClients?: { clientId: string; clientSecret: string }[];
  /** Accepted `x-sn-apikey` values; they act as the first user. Default none. */
  apiKeys?: string[];
  /** Access-token lifetime (`expires_in`); default 1799. */
  tokenTtlSec?: number;
  faults?: FaultConfig;
  /** Seeds every random choice (sys_ids, tokens, injected errors) for reproducible runs. */
  seed?: number;
  /** Incident fields a data policy makes mandatory: a save without them gets the real 403 Data Policy Exception. */
  mandatoryFields?: string[];
  /** Writable tables besides sys_user / sys_user_group; default ['incident']. */
  tables?: string[];
  /** The after-update business rule posting changes out; default none. */
  businessRule?: BusinessRuleConfig;
  /** The instance's clock (sys_*_on, tokens, faults); default Date.now. Tests put many changes in one second. */
  now?: () => number;
}

export interface ServiceNowSimulator extends OutboundControls {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Raw stored records (every value a string, references as sys_ids); default table incident. */
  records(table?: string): SimRecord[];
  /** Work notes and comments written to a record. */
  journal(sysId: string, table?: string): JournalEntry[];
  countByCorrelation(correlationId: string, table?: string): number;
  /** Creates accepted whose delayed commit has not happened yet. */
  pendingCommits(): number;
  stats(): SimulatorStats;
  /** Changes the data policy at run time, as an admin would (shared by reference with the write path). */
  setMandatoryFields(fields: string[]): void;
  /** Replaces the fault configuration (validated; throws on an invalid one). */
  setFaults(faults: FaultConfig): void;
  /** Overwrites only the given keys. */
  patchFaults(faults: Partial<FaultConfig>): void;
  /** Expires every access token now (refresh tokens stay valid). */
  expireTokens(): void;
  /** An ACL: the user (default the first) may not read the record; lists drop it after the limit, as ServiceNow does. */
  denyRead(sysId: string, username?: string): void;
  /** Clears records, stats, faults, tokens and rate-limit windows. */
  reset(): void;
  /** Closes the server and every open socket, including held slow-then-commit answers. */
  close(): Promise<void>;
}

export const DEFAULT_SIMULATOR_USER: SimulatorUser = { username: 'bridge', password: 'bridge-password' };
export const DEFAULT_OAUTH_CLIENT = { clientId: 'bridge-client', clientSecret: 'bridge-client-secret' };
const DEFAULT_TOKEN_TTL_SEC = 1799;

function createParts(options: SimulatorOptions) {
  const now = options.now ?? ((): number => Date.now());
  const users = options.users ?? [DEFAULT_SIMULATOR_USER];
  const rng = createRng(options.seed);
  const tables = [...new Set([...(options.tables ?? ['incident']), ...DIRECTORY_TABLES])];
  const store = new RecordStore(tables, {
    sys_user: () => seedUsers(users.map((user) => user.username)),
    sys_user_group: seedGroups,
  });
  const faults = new FaultState(now);
  faults.replace(options.faults ?? {});
  const credentials = {
    users: users.map((user) => ({ username: user.username, password: new Secret(user.password) })),
    oauthClients: (options.oauthClients ?? [DEFAULT_OAUTH_CLIENT]).map((client) => ({
      clientId: client.clientId,
      clientSecret: new Secret(client.clientSecret),
    })),
    apiKeys: (options.apiKeys ?? []).map((key) => new Secret(key)),
    integrationUser: users[0]?.username ?? DEFAULT_SIMULATOR_USER.username,
  };
  const tokens = new TokenStore(rng, now, options.tokenTtlSec ?? DEFAULT_TOKEN_TTL_SEC);
  const mandatoryFields = [...(options.mandatoryFields ?? [])];
  const businessRule = new BusinessRule(rng);
  businessRule.configure(options.businessRule);
  return {
    businessRule,
    now,
    rng,
    store,
    faults,
    credentials,
    tokens,
    mandatoryFields,
    stats: new StatsRecorder(),
    rateLimiter: new RateLimiter(now),
    pendingCommits: new PendingCommits(),
  };
}

function listen(server: Server, options: SimulatorOptions): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${address.port}`;
}

/** Remembers open sockets so close() can end them all, held slow-then-commit answers included. */
function trackSockets(server: Server): () => void {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return () => sockets.forEach((socket) => socket.destroy());
}

type Parts = ReturnType<typeof createParts>;

type Inspectors = Pick<ServiceNowSimulator, 'records' | 'journal' | 'countByCorrelation' | 'pendingCommits' | 'stats'>;

function inspectors(parts: Parts): Inspectors {
  const records = (table = 'incident'): SimRecord[] => (parts.store.hasTable(table) ? parts.store.records(table) : []);
  return {
    records,
    journal: (sysId, table = 'incident') =>
      parts.store.hasTable(table) ? (parts.store.get(table, sysId)?.journal ?? []) : [],
    countByCorrelation: (correlationId, table) =>
      records(table).filter((r) => r.correlation_id === correlationId).length,
    pendingCommits: () => parts.pendingCommits.size,
    stats: () => parts.stats.snapshot(),
  };
}

export async function startServiceNowSimulator(options: SimulatorOptions = {}): Promise<ServiceNowSimulator> {
  const parts = createParts(options);
  let url = '';
  const reset = (): void => {
    parts.store.clear();
    parts.stats.clear();
    parts.faults.clear();
    parts.tokens.clear();
    parts.rateLimiter.clear();
    parts.pendingCommits.cancelAll();
    parts.businessRule.clear();
  };
  const expireTokens = (): void => parts.tokens.expireAccessTokens();
  const update: AppDeps['agentUpdate'] = (target, input) => agentUpdate(parts, target, input);
  const server = createServer(buildApp({ ...parts, agentUpdate: update, baseUrl: () => url, reset, expireTokens }));
  const destroySockets = trackSockets(server);
  const address = await listen(server, options);
  url = urlOf(address);
  return {
    url,
    port: address.port,
    ...inspectors(parts),
    ...outboundControls(parts),
    setMandatoryFields: (fields) => void parts.mandatoryFields.splice(0, parts.mandatoryFields.length, ...fields),
    setFaults: (faults) => void parts.faults.replace(faults),
    patchFaults: (faults) => void parts.faults.merge(faults),
    expireTokens,
    denyRead: (sysId, username = parts.credentials.integrationUser) => parts.store.denyRead(sysId, username),
    reset,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        parts.pendingCommits.cancelAll();
        destroySockets();
      }),
  };
}
