import express, { type RequestHandler } from 'express';
import { isSafeNumber, parse } from 'lossless-json';

/**
 * `row_to_json` sends bigint and numeric columns as JSON numbers; JSON.parse would round those past
 * 2^53 (two rows, one ticket). A number a double cannot hold exactly keeps its digits, as a string,
 * all the way to the row key, the correlation id and the ticket fields.
 */
const exactNumber = (digits: string): number | string => (isSafeNumber(digits) ? Number(digits) : digits);

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;

/** The edge errors body-parser would raise, so the app's JSON error handler answers them alike. */
const edgeError = (status: number, type: string, message: string) =>
  Object.assign(new Error(message), { status, type });

/** body-parser's json() checks: UTF-8 only, and (strict) an object or array at the top. */
const utf8Only: RequestHandler = (req, _res, next) => {
  const charset = CHARSET.exec(req.get('content-type') ?? '')?.[1].toLowerCase() ?? 'utf-8';
  if (charset.startsWith('utf-')) return next();
  next(edgeError(415, 'charset.unsupported', `unsupported charset "${charset.toUpperCase()}"`));
};

const rounded = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value);

/** Whether JSON.parse rounded a column of the event's rows: what row keys and ticket fields are made of. */
function roundsAColumn(body: unknown): boolean {
  const data = (body as { event?: { data?: { old?: unknown; new?: unknown } } } | null)?.event?.data;
  const rows = [data?.old, data?.new].filter((row): row is object => row !== null && typeof row === 'object');
  return rows.some((row) => Object.values(row).some(rounded));
}

/**
 * lossless-json recurses per level: a body nested deeper than its stack (a deep `json` column) is read
 * by JSON.parse instead, which may round numbers inside such a column but must not round a column.
 */
function parseBody(text: string): unknown {
  try {
    // A repeated key keeps its last value, as JSON.parse does (a `json` column may hold one).
    return parse(text, null, { parseNumber: exactNumber, onDuplicateKey: ({ newValue }) => newValue });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const body: unknown = JSON.parse(text);
    if (roundsAColumn(body)) throw new SyntaxError('a column past 2^53 comes with nesting too deep to read it exactly');
    return body;
  }
}

const parseExactly: RequestHandler = (req, _res, next) => {
  const text = typeof req.body === 'string' ? req.body : '';
  if (text.trim() === '') {
    req.body = {};
    return next();
  }
  if (!/^\s*[[{]/.test(text)) return next(edgeError(400, 'entity.parse.failed', 'body must be a JSON object'));
  try {
    req.body = parseBody(text);
    next();
  } catch (error) {
    next(edgeError(400, 'entity.parse.failed', (error as Error).message));
  }
};

/** The webhook's JSON body parser: body-parser's limits and encodings, lossless numbers. */
export function exactJsonBody(limit: string | number): RequestHandler[] {
  return [utf8Only, express.text({ limit, type: () => true, defaultCharset: 'utf-8' }), parseExactly];
}

/** Both routes take JSON only: anything else is 415 before the body is read as an event. */
export const requireJson: RequestHandler = (req, res, next) => {
  if (req.is('application/json')) return next();
  res.status(415).json({ error: 'unsupported_media_type', message: 'expected Content-Type: application/json' });
};
