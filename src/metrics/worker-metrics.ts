import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory, WorkerInterceptors } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FailureDetails, TicketState } from '../contract';
import { TicketStatus } from '../contract/search-attributes';
import type { Logger } from '../logging';
import { TicketError } from '../ticketing/errors';

export interface ParkedGaugeOptions {
  /** Only this worker's task queue: other apps' workflows in the namespace are not ours to count. */
  taskQueue: string;
  logger?: Logger;
}

export interface ParkedGauge {
  /** Counts once now; the timer calls this every `parkedRefreshMs`. */
  refresh(): Promise<void>;
  stop(): void;
}

export interface WorkerMetrics {
  readonly registry: Registry;
  /**
   * WorkerOptions.interceptors: every activity's outcome and duration, labelled with the ticket target
   * (from the input, else the default).
   */
  interceptors(labels: { target: string }): WorkerInterceptors;
  /** Keeps `incident_bridge_events_parked` current with a visibility count query. */
  startParkedGauge(client: Client, options: ParkedGaugeOptions): ParkedGauge;
}

export interface WorkerMetricsOptions {
  registry?: Registry;
  /** How often the parked gauge re-counts; 0 = only on `refresh()`. */
  parkedRefreshMs?: number;
}

const PARKED: TicketState = 'waiting-for-operator';
const KIND_LABEL = /^[a-z][a-z-]{0,31}$/;

/** The error kind label: the taxonomy's kind, carried in the ApplicationFailure details our activities throw. */
export function errorKind(error: unknown): string {
  if (error instanceof CancelledFailure) return 'cancelled';
  if (error instanceof TicketError) return error.kind;
  if (error instanceof ApplicationFailure) {
    const kind = (error.details?.[0] as Partial<FailureDetails> | undefined)?.kind;
    if (typeof kind === 'string' && KIND_LABEL.test(kind)) return kind;
  }
  return 'unexpected';
}

function defineMetrics(registry: Registry) {
  collectDefaultMetrics({ register: registry });
  return {
    operations: new Counter({
      name: 'incident_bridge_ticket_operations_total',
      help:
        'Activity executions (one per attempt) by ticket target, activity, ' +
        'outcome ("ok" or "error") and error kind ("none" when ok).',
      labelNames: ['target', 'operation', 'outcome', 'kind'] as const,
      registers: [registry],
    }),
    seconds: new Histogram({
      name: 'incident_bridge_ticket_operation_seconds',
      help: 'Duration of one activity attempt, ticket system calls included, by target, activity and outcome.',
      labelNames: ['target', 'operation', 'outcome'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    parked: new Gauge({
      name: 'incident_bridge_events_parked',
      help: `Running event workflows of this task queue waiting for an operator (TicketStatus="${PARKED}").`,
      registers: [registry],
    }),
  };
}

type Metrics = ReturnType<typeof defineMetrics>;

function targetNamed(value: unknown): string | undefined {
  const named = (value as { target?: unknown } | undefined)?.target;
  return typeof named === 'string' ? named : undefined;
}

/** An activity inbound interceptor: no activity code knows it is measured. */
function activityMetrics({ operations, seconds }: Metrics, defaultTarget: string): ActivityInterceptorsFactory {
  return (context) => ({
    inbound: {
      async execute(input, next) {
        const operation = context.info.activityType;
        // Ticket activities name their target in the input; the rest count under the default one.
        const named = targetNamed(input.args[0]);
        const target = named ?? defaultTarget;
        const stopTimer = seconds.startTimer({ target, operation });
        try {
          const result = await next(input);
          // createEventTicket learns its target from the mapping: its result names it.
          const done = { target: named ?? targetNamed(result) ?? target, operation };
          stopTimer({ ...done, outcome: 'ok' });
          operations.inc({ ...done, outcome: 'ok', kind: 'none' });
          return result;
        } catch (error) {
          stopTimer({ outcome: 'error' });
          operations.inc({ target, operation, outcome: 'error', kind: errorKind(error) });
          throw error;
        }
      },
    },
  });
}

export function createWorkerMetrics(options: WorkerMetricsOptions = {}): WorkerMetrics {
  const registry = options.registry ?? new Registry();
  const metrics = defineMetrics(registry);
  return {
    registry,
    interceptors: ({ target }) => ({ activity: [activityMetrics(metrics, target)] }),
    startParkedGauge: (client, gaugeOptions) =>
      startParkedCount(metrics.parked, client, { ...gaugeOptions, intervalMs: options.parkedRefreshMs ?? 0 }),
  };
}

function startParkedCount(
  gauge: Gauge,
  client: Client,
  options: ParkedGaugeOptions & { intervalMs: number },
): ParkedGauge {
  const taskQueue = options.taskQueue.replace(/["\\]/g, '\\$&');
  const query = `${TicketStatus.name}="${PARKED}" AND ExecutionStatus="Running" AND TaskQueue="${taskQueue}"`;
  let inFlight: Promise<void> | undefined;
  const refresh = () => {
    inFlight ??= client.workflow
      .count(query)
      .then(({ count }) => void gauge.set(count))
      // A stale value beats a gap; the log says why it is stale.
      .catch((error: Error) => void options.logger?.warn({ err: error.message }, 'could not count parked events'))
      .finally(() => (inFlight = undefined));
    return inFlight;
  };
  const timer = options.intervalMs > 0 ? setInterval(() => void refresh(), options.intervalMs).unref() : undefined;
  if (timer) void refresh();
  return {
    refresh,
    stop: () => clearInterval(timer),
  };
}
