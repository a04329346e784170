import type { Express, RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { EventStarter } from '../starting/event-starter';
import { metricsRoute } from '../metrics/exposition';

export interface ApiMetrics {
  readonly registry: Registry;
  /** Adds `GET /metrics` and the observer of `/hasura/events`; call before the routes are added. */
  mount(app: Express): void;
  /** The same starter, counting started vs duplicate events by trigger. */
  instrumentStarter(starter: EventStarter): EventStarter;
}

// Names Hasura's create_event_trigger allows (`[A-Za-z][A-Za-z0-9_-]*`, at most 42 characters) become
// label values; others (possible through metadata import) count as "unknown": no unbounded cardinality.
const TRIGGER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,41}$/;

function triggerLabel(body: unknown): string {
  const name = (body as { trigger?: { name?: unknown } } | undefined)?.trigger?.name;
  return typeof name === 'string' && TRIGGER_NAME.test(name) ? name : 'unknown';
}

function defineMetrics(registry: Registry) {
  collectDefaultMetrics({ register: registry });
  return {
    requests: new Counter({
      name: 'incident_bridge_webhook_requests_total',
      help:
        'Hasura event deliveries answered, by HTTP status (or "aborted" when the caller hung up first) ' +
        'and trigger.',
      labelNames: ['status', 'trigger'] as const,
      registers: [registry],
    }),
    ackSeconds: new Histogram({
      name: 'incident_bridge_webhook_ack_seconds',
      help: 'Time from receiving a Hasura delivery to the end of the answer, by HTTP status.',
      labelNames: ['status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    accepted: new Counter({
      name: 'incident_bridge_events_accepted_total',
      help:
        'Events Temporal holds durably: result="started" for a new or running workflow, ' +
        '"duplicate" for one that had already finished, "ignored" for an op the trigger does not handle.',
      labelNames: ['trigger', 'result'] as const,
      registers: [registry],
    }),
    loopGuarded: new Counter({
      name: 'incident_bridge_events_loop_guarded_total',
      help:
        "Events acknowledged and ignored as the bridge's own write-back: " +
        'guard="writeback-columns" (only columns the bridge writes changed), "bridge-role" (made as source.hasura.role).',
      labelNames: ['trigger', 'guard'] as const,
      registers: [registry],
    }),
  };
}

/** Webhook metrics on their own registry (one per app, so tests and multiple apps never collide). */
export function createApiMetrics(registry: Registry = new Registry()): ApiMetrics {
  const { requests, ackSeconds, accepted, loopGuarded } = defineMetrics(registry);
  const observeDelivery: RequestHandler = (req, res, next) => {
    const stopTimer = ackSeconds.startTimer();
    res.once('close', () => {
      const status = res.writableFinished ? String(res.statusCode) : 'aborted';
      stopTimer({ status });
      // The body is parsed by the time the answer is sent, unless auth or content-type refused it first.
      requests.inc({ status, trigger: triggerLabel(req.body) });
    });
    next();
  };

  return {
    registry,
    mount(app) {
      app.get('/metrics', metricsRoute(registry));
      app.use('/hasura/events', observeDelivery);
    },
    instrumentStarter(starter) {
      return {
        ping: () => starter.ping(),
        async start(body) {
          const result = await starter.start(body);
          accepted.inc({
            trigger: triggerLabel(body),
            result: result.ignored ? 'ignored' : result.duplicate ? 'duplicate' : 'started',
          });
          if (result.loopGuard) loopGuarded.inc({ trigger: triggerLabel(body), guard: result.loopGuard });
          return result;
        },
      };
    },
  };
}
