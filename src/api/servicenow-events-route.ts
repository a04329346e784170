import express, { type RequestHandler } from 'express';
import { z } from 'zod';
import { formatZodIssues } from '../common/config-error';
import type { ServiceNowEventsConfig } from '../config/settings';
import type { Logger } from '../logging';
import { requireServiceNowAuth } from './servicenow-auth';
import { answerRetryLater } from './events-route';
import { requireJson } from './json-body';
import type { ServiceNowChangeStarter } from '../starting/servicenow-change-starter';
import { TemporalUnavailableError } from '../starting/temporal-refusals';

/**
 * What the business rule posts: the record's identity. Other fields (number, sys_updated_by, ...) may
 * come along for logs and are dropped: the workflow re-reads the record, never trusting the body.
 */
export const serviceNowEventSchema = z.object({
  table: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a ServiceNow table name such as incident'),
  sys_id: z.string().regex(/^[0-9a-f]{32}$/, 'must be a sys_id (32 hex characters)'),
  sys_mod_count: z
    .union([z.number().int().min(0), z.string().regex(/^\d+$/, 'must be a whole number').transform(Number)])
    .optional(),
});

/** The raw body as JSON: UTF-8 as RFC 8259 says, a leading BOM dropped (TextDecoder's default). */
function parseBody(raw: unknown): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(Buffer.isBuffer(raw) ? raw : Buffer.alloc(0)));
  } catch {
    return undefined;
  }
}

function handler(deps: {
  starter: ServiceNowChangeStarter;
  logger: Logger;
  retryAfterSeconds: number;
}): RequestHandler {
  return async (req, res) => {
    const parsed = serviceNowEventSchema.safeParse(parseBody(req.body));
    if (!parsed.success) {
      const problems = formatZodIssues(parsed.error).slice(0, 10);
      deps.logger.warn({ problems }, 'rejected malformed ServiceNow event');
      res
        .status(400)
        .json({ error: 'invalid_event', message: `invalid ServiceNow event body: ${problems[0]}`, problems });
      return;
    }
    const change = { table: parsed.data.table, sysId: parsed.data.sys_id, modCount: parsed.data.sys_mod_count };
    const log = deps.logger.child({ servicenowTable: change.table, sysId: change.sysId, modCount: change.modCount });
    try {
      const result = await deps.starter.start(change);
      log.info(result, result.duplicate ? 'duplicate ServiceNow change' : 'ServiceNow change accepted');
      res.status(200).json({ accepted: true, ...result });
    } catch (error) {
      if (error instanceof TemporalUnavailableError) return answerRetryLater(res, log, error, deps.retryAfterSeconds);
      log.error({ err: error }, 'starting the ServiceNow change failed: a bug');
      res.status(500).json({ error: 'start_failed', message: 'change not accepted; see the bridge logs' });
    }
  };
}

/**
 * POST /servicenow/events: auth over the raw bytes, never a decoded or re-serialised copy (401 before
 * anything else), JSON (415), the body
 * (400 naming the problem), then one workflow per change; 503 + Retry-After while Temporal is away.
 * RESTMessageV2 does not retry a 503: the reconciler picks such a change up (README).
 */
export function serviceNowEventsRoute(
  config: ServiceNowEventsConfig,
  deps: { starter: ServiceNowChangeStarter; logger: Logger; retryAfterSeconds: number; bodyLimit: string },
): RequestHandler[] {
  return [
    express.raw({ limit: deps.bodyLimit, type: () => true }),
    requireServiceNowAuth(config),
    requireJson,
    handler(deps),
  ];
}
