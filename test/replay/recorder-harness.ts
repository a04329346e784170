import { spawn } from 'node:child_process';
import { Client, Connection, type WorkflowClient, type WorkflowStartOptions } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { hasuraEventWorkflow } from '../../src/workflows';
import { createEventRouter } from '../../src/starting/event-routing';
import { createEventStarter, type EventStarter } from '../../src/starting/event-starter';
import { loadBridgeConfig } from '../../src/settings/file/load';
import { eventPolicyFromEnv } from '../../src/settings/policy';
import { hasuraEventSchema } from '../../src/hasura/event-schema';
import { createLogger } from '../../src/logging';
import { createEventMapper, DEFAULT_MAPPING, type MappingConfig } from '../../src/mapping/mapper';
import { DEFAULT_FIELDS } from '../../src/config/builtin';
import { freePort, stopProcess } from '../../dev/temporal/dev-server';
import { createQueueWorkers, type QueueWorkers } from '../helpers/queue-workers';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/contract/search-attributes';
import { ROW_DELIVERY_BOUND_MS } from '../../src/contract';
import { GatedTarget } from '../helpers/event-harness';
import { CountingNotifier, LIFECYCLE_CONFIG, UNUSED_ENV, WRITE_BACK_CONFIG } from './recorder-parts';
import { RecordingRowWriter } from '../helpers/recording-row-writer';
import { FAST_POLICY_ENV } from '../helpers/stack';
import { testWorkflowBundle, uniqueTaskQueue } from '../helpers/temporal';

/**
 * The server's continue-as-new suggestion threshold (history events). The row workflow continues
 * as new when the server suggests it, so a low threshold gives a continue-as-new after two row
 * events without any change to workflow code (its own limit, 2000 events, is not configurable).
 */
export const SUGGEST_CONTINUE_AS_NEW_AT = 25;

export interface RecordingServer {
  address: string;
  cliPath: string;
  stop(): Promise<void>;
}

/**
 * A dev server of our own (not the jest one): the flags of dev/temporal/dev-server.ts and `suggestContinueAsNewAt`
 * (SUGGEST_CONTINUE_AS_NEW_AT above), or, when undefined, the server's own threshold (runs as long as production's).
 */
export async function startRecordingServer(suggestContinueAsNewAt: number | undefined): Promise<RecordingServer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { resolveTemporalCli } = require('../../scripts/temporal-cli.js');
  const cliPath: string = resolveTemporalCli();
  const port = await freePort();
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    'default',
    '--headless',
    '--log-level',
    'warn',
  ];
  if (suggestContinueAsNewAt)
    args.push('--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${suggestContinueAsNewAt}`);
  for (const key of ALL_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=Keyword`);
  const child = spawn(cliPath, args, { stdio: 'ignore' });
  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`temporal dev server exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await stopProcess(child);
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return { address, cliPath, stop: () => stopProcess(child) };
}

/**
 * Short timers (the tests' FAST_POLICY_ENV) so every path ends within seconds. ROW_IDLE at its floor: a row run
 * must outlive twice the webhook's delivery bound (ROW_DELIVERY_BOUND_MS), and the worker refuses less.
 */
const POLICY_ENV = {
  ...FAST_POLICY_ENV,
  DUPLICATE_CHECK_DELAY: '300ms',
  ROW_RETENTION: '1s',
  ROW_IDLE: `${2 * ROW_DELIVERY_BOUND_MS}ms`,
};

const TEMPLATE_ERROR_MAPPING: MappingConfig = {
  ...DEFAULT_MAPPING,
  defaults: {
    ...DEFAULT_MAPPING.defaults,
    fields: { ...DEFAULT_FIELDS, opened_at: '{{ row.opened | servicenow_datetime }}' },
  },
};

export interface Lane {
  /** The in-memory ticket target of this lane's worker; set `createFailures` to script errors, `hold()` to stall. */
  target: GatedTarget;
  /** The in-memory row writer of `writeback: { via: postgres }` (the write-back lanes). */
  writer: RecordingRowWriter;
  /** The webhook's own starter (routing, ids, inputs, search attributes), minus HTTP. */
  start(body: Record<string, unknown>): ReturnType<EventStarter['start']>;
  /** The same, starting hasuraEventWorkflow for a `single` event, as the starter did before issue 16. */
  startBefore16(body: Record<string, unknown>): ReturnType<EventStarter['start']>;
}

export interface Harness {
  client: Client;
  /** Default mode: no config file, every event is one ticket. */
  single: Lane;
  /** Like `single` but with a short park deadline. */
  shortPark: Lane;
  /** test/fixtures/lifecycle.yaml: every event is forwarded to its row's workflow. */
  lifecycle: Lane;
  /** The built-in mapping plus `opened_at`, whose template cannot render a row whose `opened` is no date. */
  templateError: Lane;
  /** Like `lifecycle` but with a short park deadline. */
  lifecycleShortPark: Lane;
  /** Like `lifecycle` but its worker has no Temporal client: every forward fails. */
  lifecycleNoClient: Lane;
  /** test/fixtures/write-back.yaml: tickets written back into the row (issue 13); `replay_row_writeback` follows the row. */
  writeBack: Lane;
  close(): Promise<void>;
}

/** `client`, whose workflow starts are hasuraEventWorkflow's with the caller's options (ids, input, attributes). */
function startingHasuraEventWorkflow(client: Client): Client {
  const start = (_type: unknown, options: WorkflowStartOptions<typeof hasuraEventWorkflow>) =>
    client.workflow.start(hasuraEventWorkflow, options);
  const workflow = Object.assign(Object.create(client.workflow) as WorkflowClient, { start });
  return Object.assign(Object.create(client) as Client, { workflow });
}

export async function openHarness(address: string): Promise<Harness> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const nativeConnection = await NativeConnection.connect({ address });
  const logger = createLogger({ level: 'silent' });
  const workflowBundle = await testWorkflowBundle();
  const workers: { worker: QueueWorkers; running: Promise<void> }[] = [];

  async function lane(options: {
    lifecycle: boolean;
    env?: NodeJS.ProcessEnv;
    mapping?: MappingConfig;
    noClient?: boolean;
    configPath?: string;
  }): Promise<Lane> {
    const target = new GatedTarget();
    const writer = new RecordingRowWriter();
    const taskQueue = uniqueTaskQueue(options.lifecycle ? 'record-row' : 'record');
    const configPath = options.configPath ?? (options.lifecycle ? LIFECYCLE_CONFIG : undefined);
    const config = configPath ? loadBridgeConfig({ env: UNUSED_ENV, path: configPath }) : options.mapping;
    // The worker owns the policy (issue 15); the fixtures recorded before that got it from the webhook's input.
    const policy = eventPolicyFromEnv({ ...POLICY_ENV, ...options.env });
    const activities = createActivities({
      targets: { servicenow: target },
      config: config ?? DEFAULT_MAPPING,
      mapper: createEventMapper(config ?? DEFAULT_MAPPING),
      notifier: new CountingNotifier(),
      logger,
      temporal: { uiUrl: 'http://ui.test', namespace: 'default' },
      client: options.noClient ? undefined : client,
      policy,
      writers: { postgres: writer },
    });
    const worker = await createQueueWorkers({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      activities,
      workflowBundle,
      shutdownGraceTime: '1 second',
    });
    workers.push({ worker, running: worker.run() });
    const router = createEventRouter(config);
    const starter = createEventStarter({ client, taskQueue, router });
    const before16 = createEventStarter({ client: startingHasuraEventWorkflow(client), taskQueue, router });
    return {
      target,
      writer,
      start: (body) => starter.start(hasuraEventSchema.parse(body)),
      startBefore16: (body) => before16.start(hasuraEventSchema.parse(body)),
    };
  }

  const harness: Harness = {
    client,
    single: await lane({ lifecycle: false }),
    shortPark: await lane({ lifecycle: false, env: { PARK_TIMEOUT: '1s' } }),
    lifecycle: await lane({ lifecycle: true }),
    templateError: await lane({ lifecycle: false, mapping: TEMPLATE_ERROR_MAPPING }),
    lifecycleShortPark: await lane({ lifecycle: true, env: { PARK_TIMEOUT: '2s' } }),
    lifecycleNoClient: await lane({ lifecycle: true, noClient: true }),
    writeBack: await lane({ lifecycle: false, configPath: WRITE_BACK_CONFIG }),
    async close() {
      for (const { worker } of workers) worker.shutdown();
      await Promise.all(workers.map(({ running }) => running));
      await nativeConnection.close();
      await connection.close();
    },
  };
  return harness;
}
