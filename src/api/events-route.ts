import type { RequestHandler, Response } from 'express';
import { formatZodIssues } from '../common/config-error';
import { hasuraEventSchema } from '../hasura/event-schema';
import type { Logger } from '../logging';
import { RowImageTooLargeError } from '../mapping/row-images';
import { ROW_IMAGE_BYTES_LIMIT } from '../contract';
import { RowKeyError } from '../starting/event-routing';
import type { EventStarter } from '../starting/event-starter';
import { TemporalUnavailableError } from '../starting/temporal-refusals';

export interface EventsRouteDeps {
  starter: EventStarter;
  logger: Logger;
  retryAfterSeconds: number;
}

/**
 * POST /hasura/events. Answers 2xx only once Temporal durably holds the event, 4xx (never retried
 * usefully) for a body that can never be accepted, 503 + Retry-After when Temporal is away or refuses
 * for a reason an operator can fix (src/starting/temporal-refusals.ts decides), which Hasura honours even
 * after its own retries are exhausted, and 500 for a bug.
 */
export function hasuraEventsHandler(deps: EventsRouteDeps): RequestHandler {
  return async (req, res) => {
    const parsed = hasuraEventSchema.safeParse(req.body);
    if (!parsed.success) {
      // Bounded: zod echoes received values, and a hostile body could make every line a megabyte.
      const problems = formatZodIssues(parsed.error)
        .slice(0, 10)
        .map((p) => (p.length > 300 ? `${p.slice(0, 300)}…` : p));
      deps.logger.warn({ problems }, 'rejected malformed Hasura event');
      res.status(400).json({ error: 'invalid_event', message: `invalid Hasura event body: ${problems[0]}`, problems });
      return;
    }
    const body = parsed.data;
    const log = deps.logger.child({ eventId: body.id, trigger: body.trigger.name });
    try {
      const result = await deps.starter.start(body);
      log.info(
        {
          workflowId: result.workflowId,
          duplicate: result.duplicate,
          ignored: result.ignored,
          loopGuard: result.loopGuard,
          delivered: result.delivered,
        },
        result.ignored ? 'event ignored by config' : result.duplicate ? 'duplicate delivery' : 'event accepted',
      );
      res.status(200).json({ accepted: true, ...result });
    } catch (error) {
      answerNotAccepted(res, log, error, deps.retryAfterSeconds);
    }
  };
}

/** The answer to an event that was not accepted: 4xx for one that never can be, 503 for later, 500 for a bug. */
function answerNotAccepted(res: Response, log: Logger, error: unknown, retryAfterSeconds: number) {
  if (error instanceof RowKeyError) {
    log.warn({ err: error.message }, 'rejected event without a row key');
    res.status(422).json({ error: 'missing_row_key', message: error.message });
  } else if (error instanceof RowImageTooLargeError) {
    // Nothing started: no retry makes the image fit, so Hasura must not retry it (README "Bad input").
    log.warn({ err: error.message }, 'rejected row event whose image is too large for its row workflow');
    res.status(413).json({ error: 'row_image_too_large', limitBytes: ROW_IMAGE_BYTES_LIMIT, message: error.message });
  } else if (error instanceof TemporalUnavailableError) {
    answerRetryLater(res, log, error, retryAfterSeconds);
  } else {
    log.error({ err: error }, 'starting the event failed: a bug; Hasura gives the event up after its retries');
    res.status(500).json({ error: 'start_failed', message: 'event not accepted; see the bridge logs' });
  }
}

/** 503 + Retry-After; an operator's fix goes into the error log line and the body Hasura's console shows. */
export function answerRetryLater(
  res: Response,
  log: Logger,
  error: TemporalUnavailableError,
  retryAfterSeconds: number,
) {
  const { status, fix } = error;
  res.set('Retry-After', String(retryAfterSeconds)).status(503);
  if (!fix) {
    log.warn({ err: error.message, grpcStatus: status }, 'Temporal unavailable; asking Hasura to retry');
    res.json({ error: 'temporal_unavailable', message: 'event not accepted; retry later' });
    return;
  }
  log.error({ err: error.message, grpcStatus: status, fix }, `Temporal refused the event (${status}); to fix: ${fix}`);
  res.json({
    error: 'temporal_refused',
    status,
    fix,
    message: `event not accepted: Temporal refused it (${status}) until an operator acts; retry later`,
  });
}
