import express, { type RequestHandler } from 'express';
import { parseHasuraJson } from '../hasura/exact-json';

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

const parseExactly: RequestHandler = (req, _res, next) => {
  const text = typeof req.body === 'string' ? req.body : '';
  if (text.trim() === '') {
    req.body = {};
    return next();
  }
  if (!/^\s*[[{]/.test(text)) return next(edgeError(400, 'entity.parse.failed', 'body must be a JSON object'));
  try {
    req.body = parseHasuraJson(text);
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
