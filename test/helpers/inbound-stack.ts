import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { startServiceNowSimulator, type ServiceNowSimulator } from '../../dev/simulator/servicenow/server';
import { createActivities } from '../../src/activities';
import { createApp } from '../../src/api/app';
import { createEventRouter } from '../../src/starting/event-routing';
import { createServiceNowChangeStarter } from '../../src/starting/servicenow-change-starter';
import { createEventStarter } from '../../src/starting/event-starter';
import { Secret } from '../../src/common/secret';
import { resolvePolicy, type EventPolicy } from '../../src/contract';
import { createLogger } from '../../src/logging';
import { createEventMapper } from '../../src/mapping/mapper';
import type { Notifier } from '../../src/notify';
import { loadBridgeConfig } from '../../src/settings/file/load';
import type { RowWrite, RowWriter } from '../../src/source/row-writer';
import { createRowWriters } from '../../src/source/writers';
import { createTargets } from '../../src/ticketing/create-targets';
import { createQueueWorkers } from './queue-workers';
import { configDir } from '../fixtures/config/write-config';
import { CORRELATION_ENV } from './correlation';
import { FAST_TEST_POLICY, silentNotifier } from './fake-target';
import { startPostgres, type Postgres } from './postgres';
import { connectTestTemporal, testWorkflowBundle, uniqueTaskQueue, type TestTemporal } from './temporal';

// Not the lifecycle suite's trigger: both run on the shared dev server, and a row workflow left open here would
// take that suite's signals for the same row key.
export const TRIGGER = 'incident_inbound';
export const HASURA_SECRET = 'hasura-secret';
export const SN_SECRET = 'sn-events-secret';

/** What a suite changes of the stack: its own trigger (the dev server is shared), more trigger keys, more tables. */
export interface InboundStackOptions {
  trigger?: string;
  /** More keys of the trigger, as YAML lines indented by four spaces. */
  triggerYaml?: string;
  /**
   * The trigger's `writeback:`, as YAML lines indented by four spaces; it must write `ticket_sys_id` (the inbound
   * ticket column) as `{{ ticket.id }}`. Default: into the row's own `ticket_sys_id`.
   */
  writebackYaml?: string;
  /** More statements run on the database before the worker starts (more tables, columns). */
  ddl?: string[];
  /** More triggers, as YAML lines indented by two spaces (under `triggers:`). */
  moreTriggersYaml?: string;
  /** Who is told when a change fails for good (default: nobody). */
  notifier?: Notifier;
  /** The worker's policy over FAST_TEST_POLICY (e.g. a short park timeout). */
  policy?: Partial<EventPolicy>;
}

/** The bridge config the tests run: a lifecycle trigger whose ticket's state and close notes come back. */
const bridgeYaml = ({
  trigger = TRIGGER,
  triggerYaml = '',
  writebackYaml = '    writeback: { via: postgres, columns: { ticket_sys_id: "{{ ticket.id }}" } }',
  moreTriggersYaml = '',
}: InboundStackOptions) => `
source:
  postgres: { url: { env: SOURCE_DB_URL } }
correlation: { secret: { env: BRIDGE_CORRELATION_SECRET } }
lookups:
  sn_state_to_status: { "1": open, "2": in_progress, "3": on_hold, "6": resolved, "7": closed, "8": canceled }
triggers:
  ${trigger}:
    row_key: [id]
    lifecycle: { enabled: true, reorder_window: 300ms }
    fields:
      short_description: "{{ row.title }}"
    resolve_fields: { close_code: Solution provided, close_notes: "row deleted" }
${triggerYaml}
${writebackYaml}
    inbound:
      ticket_column: ticket_sys_id
      columns:
        status: "{{ record.state | lookup: 'sn_state_to_status' }}"
        resolution: "{{ record.close_notes }}"
${moreTriggersYaml}
`;

export interface InboundStack {
  pg: Postgres;
  db: PgClient;
  sim: ServiceNowSimulator;
  temporal: TestTemporal;
  apiUrl: string;
  taskQueue: string;
  writer: CountingRowWriter;
  close(): Promise<void>;
}

/** The product's writer, counting its writes, so a test can prove a change wrote nothing. */
export interface CountingRowWriter extends RowWriter {
  writes: RowWrite[];
  /** Runs before each write: a test makes something happen in the middle of the write path. */
  beforeWrite?: (request: RowWrite) => void;
}

function counting(inner: RowWriter): CountingRowWriter {
  const writer: CountingRowWriter = {
    writes: [],
    write(request) {
      writer.beforeWrite?.(request);
      writer.writes.push(request);
      return inner.write(request);
    },
    read: (request) => inner.read(request),
    close: () => inner.close(),
  };
  return writer;
}

/**
 * Real PostgreSQL, the simulator, the dev server, a worker and the webhook in this process; the row is
 * written by the worker's own PostgreSQL writer (`source.postgres`), wrapped to count its writes.
 */
export async function startInboundStack(options: InboundStackOptions = {}): Promise<InboundStack> {
  const pg = await startPostgres();
  const db = new PgClient({ connectionString: pg.url() });
  await db.connect();
  await db.query(
    'CREATE TABLE public.incident_request (id int PRIMARY KEY, title text, status text, resolution text, ticket_sys_id text)',
  );
  for (const statement of options.ddl ?? []) await db.query(statement);
  const sim = await startServiceNowSimulator({ port: 0 });
  const files = configDir();
  const env = {
    BRIDGE_CONFIG: files.write('bridge.yaml', bridgeYaml(options)),
    SOURCE_DB_URL: pg.url(),
    SERVICENOW_INSTANCE_URL: sim.url,
    SERVICENOW_USERNAME: 'bridge',
    SERVICENOW_PASSWORD: 'bridge-password',
    SERVICENOW_REQUEST_TIMEOUT_MS: '3000',
    ...CORRELATION_ENV,
  };
  const config = loadBridgeConfig({ env });
  files.remove();
  const temporal = await connectTestTemporal();
  const taskQueue = uniqueTaskQueue('inbound');
  const { postgres } = createRowWriters(config.source);
  if (!postgres) throw new Error('the stack config names source.postgres');
  const writer = counting(postgres);
  const targets = createTargets(config);
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const activities = createActivities({
    ...{
      targets: targets.targets,
      config,
      mapper: createEventMapper(config),
      notifier: options.notifier ?? silentNotifier,
      logger,
    },
    temporal: { uiUrl: 'http://127.0.0.1:8233', namespace: 'default' },
    policy: resolvePolicy({ ...FAST_TEST_POLICY, ...options.policy }),
    ...{ client: temporal.client, writers: { postgres: writer } },
    startServiceNowChange: createServiceNowChangeStarter({ client: temporal.client, taskQueue }).start,
  });
  const worker = await createQueueWorkers({
    ...{ connection: temporal.nativeConnection, namespace: 'default', taskQueue, activities },
    ...{ workflowBundle: await testWorkflowBundle(), shutdownGraceTime: '1 second' },
  });
  const running = worker.run();
  const { client } = temporal;
  const app = createApp({
    starter: createEventStarter({ client, taskQueue, router: createEventRouter(config) }),
    logger,
    webhook: {
      secrets: [new Secret(HASURA_SECRET)],
      secretHeader: 'x-webhook-secret',
      bodyLimit: '1mb',
      retryAfterSeconds: 1,
    },
    servicenowEvents: {
      config: { auth: 'hmac', secrets: [new Secret(SN_SECRET)], header: 'x-servicenow-signature' },
      starter: createServiceNowChangeStarter({ client, taskQueue }),
    },
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...{ pg, db, sim, temporal, apiUrl, taskQueue, writer },
    async close() {
      await new Promise((resolve) => server.close(resolve));
      worker.shutdown();
      await running;
      await Promise.all([targets.close(), writer.close(), db.end(), sim.close(), temporal.close()]);
      await pg.stop();
    },
  };
}

/** What ServiceNow's business rule would post for this body: signed with the given key. */
export function signedPost(apiUrl: string, body: object, key = SN_SECRET): Promise<Response> {
  const text = JSON.stringify(body);
  const signature = createHmac('sha256', key).update(text).digest('base64');
  return fetch(`${apiUrl}/servicenow/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-servicenow-signature': signature },
    body: text,
  });
}
