import { once } from 'node:events';
import http2, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';

/** gRPC status codes the gatekeeper answers with (fixed by the gRPC spec). */
export const GRPC_PERMISSION_DENIED = 7;
export const GRPC_UNAUTHENTICATED = 16;

export type Verdict = 'pass' | { code: number; message: string };

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
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': verdict.code,
          'grpc-message': grpcMessage,
        },
        { endStream: true },
      );
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
