import { TicketUnavailableError } from '../errors';

/** One HTTP answer, read whole: what the targets' classifiers and parsers look at. */
export interface HttpAnswer {
  status: number;
  /** Lower-case names, as undici delivers them. */
  headers: Record<string, string | string[] | undefined>;
  bodyText: string;
  /** Epoch ms when the answer arrived: Retry-After dates and X-RateLimit-Reset are absolute times. */
  now: number;
}

/** A header's first value: a repeated header arrives as a list. */
export function headerValue(answer: Pick<HttpAnswer, 'headers'>, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The answer's JSON. A body that is not JSON (a proxy's page, a cut answer) is transient. */
export function parseJson(answer: HttpAnswer, system: string): unknown {
  try {
    return JSON.parse(answer.bodyText);
  } catch {
    const message = `${system} answered ${answer.status} with a body that is not JSON`;
    throw new TicketUnavailableError(message, { status: answer.status });
  }
}

/** Like parseJson, for APIs that answer some writes with no body (204): a blank body is undefined. */
export function parseOptionalJson(answer: HttpAnswer, system: string): unknown {
  return answer.bodyText.trim() ? parseJson(answer, system) : undefined;
}
