import { headerValue, type HttpAnswer } from './answer';

/** The wait after a 429 that names none: long enough not to feed the limit that refused us. */
export const DEFAULT_RATE_LIMIT_RETRY_MS = 60_000;

/** Retry-After is delta-seconds or an HTTP date (RFC 9110); undefined when absent or unreadable. */
export function retryAfterMs(answer: Pick<HttpAnswer, 'headers' | 'now'>): number | undefined {
  const value = headerValue(answer, 'retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - answer.now);
}
