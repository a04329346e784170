import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Paths redacted in every log line. Secrets are `Secret` objects (which print `<secret>`) anyway;
 * this catches the plain-string leaks: HTTP headers and credential-shaped keys at any depth we log.
 */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-webhook-secret"]',
  'req.headers["x-sn-apikey"]',
  'headers.authorization',
  'password',
  'pass',
  'secret',
  'token',
  'apiKey',
  'clientSecret',
  '*.password',
  '*.pass',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.clientSecret',
];

export interface LoggerOptions {
  level?: string;
  /** `pretty` for humans at a terminal, `json` for log shippers. */
  format?: 'json' | 'pretty';
  name?: string;
  /** Extra header names to redact (the configured webhook secret header). */
  redactHeaders?: string[];
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const redact = [...REDACT_PATHS, ...(options.redactHeaders ?? []).map((h) => `req.headers["${h.toLowerCase()}"]`)];
  const base = { level: options.level ?? 'info', name: options.name, redact: { paths: redact, censor: '<secret>' } };
  if (options.destination) return pino(base, options.destination);
  if (options.format === 'pretty') {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } },
    });
  }
  return pino(base);
}
