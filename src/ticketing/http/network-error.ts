import { TicketError, TicketUnavailableError } from '../errors';

/** Connection refused/reset, DNS failure, request timeout or an aborted call: all transient. */
export function classifyNetworkError(system: string, error: unknown): TicketError {
  if (error instanceof TicketError) return error;
  // Duck-typed: DOMException (timeouts, aborts) is not always `instanceof Error` across realms.
  const { name, code, message } = (error ?? {}) as { name?: unknown; code?: unknown; message?: unknown };
  const reason = typeof message === 'string' ? message : String(error);
  const options = { cause: error };
  if (name === 'TimeoutError') return new TicketUnavailableError(`${system} request timed out: ${reason}`, options);
  if (name === 'AbortError') return new TicketUnavailableError(`${system} request aborted: ${reason}`, options);
  const label = typeof code === 'string' ? `${code} ` : '';
  return new TicketUnavailableError(`${system} unreachable: ${label}${reason}`, options);
}

/** Lets a caller stop waiting for shared work (a token request) without cancelling it for the others. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, system: string): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(classifyNetworkError(system, signal.reason));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
