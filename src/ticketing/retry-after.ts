/** The parts of an HTTP answer a wait can be read from; headers lower-cased, as undici delivers them. */
export interface AnswerTiming {
  headers: Record<string, string | string[] | undefined>;
  /** Epoch ms when the answer arrived. */
  now: number;
}

/** Retry-After is delta-seconds or an HTTP date (RFC 9110); undefined when absent or unreadable. */
export function retryAfterMs(answer: AnswerTiming): number | undefined {
  const header = answer.headers['retry-after'];
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - answer.now);
}
