import type { NextFunction, Request, Response } from 'express';

import type { CallingUser } from './record-writes';
import { errorBody, sendJson } from './responses';
import type { RecordStore } from './store';

/** Table API paths: /api/now[/v1|/v2]/table/<table>[/<sys_id>]. Groups: version, table, sys_id. */
export const TABLE_PATH = /^\/api\/now(?:\/(v1|v2))?\/table\/([^/]+)(?:\/([^/]+))?\/?$/;

/** What the pipeline knows about one Table API call; kept in res.locals.call. */
export interface TableCall {
  version?: 'v1' | 'v2';
  table: string;
  sysId?: string;
  /** The parsed JSON body (first element when an array was sent); undefined when absent or unparsable. */
  body?: Record<string, unknown>;
  bodyError?: string;
  correlationId?: string;
  user?: CallingUser;
}

export function tableCallOf(res: Response): TableCall {
  return res.locals.call as TableCall;
}

function parseBody(text: unknown): Pick<TableCall, 'body' | 'bodyError'> {
  if (typeof text !== 'string' || text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    const first: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
    if (first !== null && typeof first === 'object' && !Array.isArray(first))
      return { body: first as Record<string, unknown> };
    return { bodyError: 'The payload is not a JSON object.' };
  } catch {
    return { bodyError: 'The payload is not valid JSON.' };
  }
}

// A shared lookup (`correlation_idINa,b`) is about its first key: fault scopes by prefix still reach it.
const QUERY_CORRELATION = /(?:^|\^)(?:OR)?correlation_id(?:(?:=|STARTSWITH|LIKE)([^^]*)|IN([^^,]*))/;

/** The correlation_id a call is about: in its body, its sysparm_query, or the record it addresses. */
function correlationIdOf(req: Request, call: TableCall, store: RecordStore): string | undefined {
  const fromBody = call.body?.correlation_id;
  if (typeof fromBody === 'string' && fromBody) return fromBody;
  const query = req.query.sysparm_query;
  const matched = typeof query === 'string' ? QUERY_CORRELATION.exec(query) : null;
  const fromQuery = matched?.[1] ?? matched?.[2];
  if (fromQuery) return fromQuery;
  if (call.sysId && store.hasTable(call.table))
    return store.get(call.table, call.sysId)?.fields.correlation_id || undefined;
  return undefined;
}

/** First step of every Table API call: route params, JSON body and correlation id into res.locals.call. */
export function readTableCall(store: RecordStore) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const params = req.params as Record<string, string | undefined>;
    const call: TableCall = {
      version: params[0] as TableCall['version'],
      table: params[1] ?? '',
      sysId: params[2],
      ...parseBody(req.body),
    };
    call.correlationId = correlationIdOf(req, call, store);
    res.locals.call = call;
    next();
  };
}

function acceptsJson(accept: string | undefined): boolean {
  return !accept || accept.includes('application/json') || accept.includes('*/*');
}

/** Writes need JSON in and out (reference §1), and a body that parses. */
export function requireJsonWrite(req: Request, res: Response, next: NextFunction): void {
  const call = tableCallOf(res);
  const contentType = req.headers['content-type'] ?? '';
  if (!contentType.toLowerCase().startsWith('application/json') || !acceptsJson(req.headers.accept)) {
    return sendJson(
      res,
      400,
      errorBody('Exception while reading request', 'Accept and Content-Type must be application/json'),
    );
  }
  if (call.bodyError) return sendJson(res, 400, errorBody('Exception while reading request', call.bodyError));
  next();
}
