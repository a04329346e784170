import { once } from 'node:events';
import http2, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';

/** gRPC status codes the gatekeeper answers with (fixed by the gRPC spec). */
export const GRPC_PERMISSION_DENIED = 7;
export const GRPC_UNAUTHENTICATED = 16;
export const GRPC_RESOURCE_EXHAUSTED = 8;

/**
 * `holdMs`: answer only after this long, given the call's own deadline (its `grpc-timeout`; undefined: none), as a
 * server does that waits for a lock until shortly before the caller gives up.
 */
export type Verdict = 'pass' | { code: number; message: string; holdMs?: (timeoutMs: number | undefined) => number };

/**
 * What Temporal's history service answers a signal that waited for a busy workflow's lock: it waits until the
 * caller's deadline minus 500 ms, then RESOURCE_EXHAUSTED (cause BUSY_WORKFLOW) "Workflow is busy.".
 */
export const BUSY_WORKFLOW: Verdict = {
  code: GRPC_RESOURCE_EXHAUSTED,
  message: 'Workflow is busy.',
  holdMs: (timeoutMs) => Math.max(0, (timeoutMs ?? 0) - 500),
};

const TIMEOUT_UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 1e-3, n: 1e-6 };

/** The gRPC `grpc-timeout` header ("4999m", "5S") in milliseconds. */
function timeoutMsOf(header: string | string[] | undefined): number | undefined {
  const match = /^(\d+)([HMSmun])$/.exec(String(header ?? ''));
  return match ? Number(match[1]) * TIMEOUT_UNIT_MS[match[2]] : undefined;
}

export interface GrpcGatekeeper {
  /** host:port to dial instead of the Temporal frontend. */
  address: string;
  /** Decides each call from its `authorization` header and method (e.g. `StartWorkflowExecution`). */
  setPolicy(policy: (authorization: string | undefined, method: string) => Verdict): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([':authority', ':scheme', ':status']);
const forwardable = (headers: IncomingHttpHeaders): OutgoingHttpHeaders =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));

/**
 * A plaintext HTTP/2 proxy in front of the Temporal dev server that checks each gRPC call's API key the
 * way a Temporal Cloud frontend or an authorizing proxy does: a call it refuses gets a real gRPC
 * trailers-only answer (grpc-status, grpc-message) on the wire; every other call is forwarded as is.
 */
export async function startGrpcGatekeeper(target: string): Promise<GrpcGatekeeper> {
  const upstream = http2.connect(`http://${target}`);
  upstream.on('error', () => undefined);
  let policy: (authorization: string | undefined, method: string) => Verdict = () => 'pass';
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    const method = String(headers[':path']).split('/').pop() ?? '';
    const verdict = policy(headers.authorization, method);
    if (verdict !== 'pass') {
      const grpcMessage = encodeURIComponent(verdict.message);
      const answer = () =>
        !stream.destroyed &&
        stream.respond(
          {
            ':status': 200,
            'content-type': 'application/grpc',
            'grpc-status': verdict.code,
            'grpc-message': grpcMessage,
          },
          { endStream: true },
        );
      const holdMs = verdict.holdMs?.(timeoutMsOf(headers['grpc-timeout'])) ?? 0;
      if (holdMs > 0) setTimeout(answer, holdMs);
      else answer();
      return;
    }
    const call = upstream.request(forwardable(headers));
    call.on('error', () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    stream.pipe(call);
    call.on('response', (responseHeaders) => {
      // A trailers-only answer (an error status) carries grpc-status in its headers and ends there.
      const trailersOnly = responseHeaders['grpc-status'] !== undefined;
      stream.respond(
        { ...forwardable(responseHeaders), ':status': responseHeaders[':status'] },
        trailersOnly ? { endStream: true } : { waitForTrailers: true },
      );
      if (trailersOnly) return;
      let trailers: OutgoingHttpHeaders = {};
      call.on('trailers', (received) => (trailers = forwardable(received)));
      stream.on('wantTrailers', () => stream.sendTrailers(trailers));
      call.pipe(stream);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    address: `127.0.0.1:${(server.address() as { port: number }).port}`,
    setPolicy: (next) => void (policy = next),
    async close() {
      upstream.destroy();
      for (const session of sessions) session.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
