import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createActivities } from '../../src/activities';
import { createApp } from '../../src/api/app';
import { createApiMetrics, type ApiMetrics } from '../../src/api/metrics';
import { createEventRouter } from '../../src/starting/event-routing';
import { createEventStarter } from '../../src/starting/event-starter';
import { Secret } from '../../src/common/secret';
import { resolvePolicy, type EventPolicy } from '../../src/contract';
import { createLogger } from '../../src/logging';
import { createEventMapper } from '../../src/mapping/mapper';
import { loadBridgeConfig, loadBridgeRouting } from '../../src/settings/file/load';
import { closeRowWriters, createRowWriters } from '../../src/source/writers';
import { CORRELATION_ENV } from './correlation';
import { createQueueWorkers, type QueueWorkers } from './queue-workers';
import { FAST_TEST_POLICY, FakeTarget, silentNotifier } from './fake-target';
import { TEST_SECRET } from './stack';
import { testWorkflowBundle, uniqueTaskQueue, type TestTemporal } from './temporal';
import type { SourceDb } from './source-db';

/** Only for the config loader: the ServiceNow target is a FakeTarget, nothing is called. */
const UNUSED_SERVICENOW_ENV = {
  SERVICENOW_INSTANCE_URL: 'http://127.0.0.1:9',
  SERVICENOW_USERNAME: 'unused',
  SERVICENOW_PASSWORD: 'unused',
};

export interface WebhookAnswer {
  status: number;
  body: { accepted?: boolean; workflowId?: string; ignored?: string; loopGuard?: string };
}

/**
 * The webhook (real HTTP on loopback, its routing loaded as api/main loads it) and a worker with the
 * real activities and row writers around a FakeTarget that counts ticket calls, over the source db.
 * `deliver()` posts every event the emulated Hasura trigger recorded since the last call, as Hasura would.
 */
export class WriteBackStack {
  readonly target = new FakeTarget();
  readonly taskQueue = uniqueTaskQueue('wb');
  readonly metrics: ApiMetrics = createApiMetrics();
  private server?: Server;
  private worker?: { worker: QueueWorkers; running: Promise<void> };
  private closeWriters: () => Promise<void> = async () => undefined;
  private delivered = 0;

  constructor(
    private readonly temporal: TestTemporal,
    private readonly db: SourceDb,
    private readonly options: { configPath: string; env: Record<string, string>; policy?: Partial<EventPolicy> },
  ) {}

  async start(): Promise<this> {
    const env = {
      ...UNUSED_SERVICENOW_ENV,
      ...CORRELATION_ENV,
      ...this.options.env,
      BRIDGE_CONFIG: this.options.configPath,
    };
    const config = loadBridgeConfig({ env });
    const writers = createRowWriters(config.source);
    this.closeWriters = () => closeRowWriters(writers);
    const activities = createActivities({
      targets: { servicenow: this.target },
      config,
      mapper: createEventMapper(config),
      notifier: silentNotifier,
      logger: createLogger({ level: 'silent' }),
      temporal: { uiUrl: 'http://ui.test', namespace: 'default' },
      client: this.temporal.client,
      policy: resolvePolicy({ ...FAST_TEST_POLICY, ...this.options.policy }),
      writers,
    });
    const { nativeConnection: connection } = this.temporal;
    const workflowBundle = await testWorkflowBundle();
    const worker = await createQueueWorkers({
      connection,
      namespace: 'default',
      taskQueue: this.taskQueue,
      activities,
      workflowBundle,
    });
    this.worker = { worker, running: worker.run() };
    const router = createEventRouter(loadBridgeRouting({ ...CORRELATION_ENV, BRIDGE_CONFIG: this.options.configPath }));
    const starter = createEventStarter({ client: this.temporal.client, taskQueue: this.taskQueue, router });
    const webhook = {
      secrets: [new Secret(TEST_SECRET)],
      secretHeader: 'x-webhook-secret',
      bodyLimit: '1mb',
      retryAfterSeconds: 1,
    };
    const app = createApp({ starter, logger: createLogger({ level: 'silent' }), webhook, metrics: this.metrics });
    this.server = await new Promise<Server>((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(server));
    });
    return this;
  }

  /** Posts each event recorded since the last call, built from the database's own JSON text (bigints exact). */
  async deliver(trigger: string): Promise<WebhookAnswer[]> {
    const { rows } = await this.db.client.query(
      `SELECT seq, id, op, old::text AS old, new::text AS new, session_variables::text AS session,
              to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS created_at
         FROM hasura_events WHERE seq > $1 ORDER BY seq`,
      [this.delivered],
    );
    const answers: WebhookAnswer[] = [];
    for (const row of rows) {
      this.delivered = Number(row.seq);
      const body =
        `{"event":{"session_variables":${row.session ?? 'null'},"op":"${row.op}",` +
        `"data":{"old":${row.old ?? 'null'},"new":${row.new ?? 'null'}},"trace_context":null},` +
        `"created_at":"${row.created_at}","id":"${row.id}","delivery_info":{"max_retries":5,"current_retry":0},` +
        `"trigger":{"name":"${trigger}"},"table":{"schema":"public","name":"incident_request"}}`;
      const response = await fetch(`${this.url}/hasura/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-webhook-secret': TEST_SECRET },
        body,
      });
      answers.push({ status: response.status, body: (await response.json()) as WebhookAnswer['body'] });
    }
    return answers;
  }

  /** Marks every event recorded so far as delivered (they belong to another stack's tests). */
  async skipRecorded(): Promise<void> {
    const { rows } = await this.db.client.query('SELECT coalesce(max(seq), 0) AS seq FROM hasura_events');
    this.delivered = Number(rows[0].seq);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
    this.worker?.worker.shutdown();
    await this.worker?.running;
    await this.closeWriters();
  }
}
