import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Secret } from '../common/secret';
import type { EncryptionKeyring } from './encryption-codec';

export interface CodecRouterOptions {
  codec: PayloadCodec;
  /** The bearer token the Web UI (or `temporal --codec-auth`) must present. */
  authToken: Secret;
  /** The Web UI's origin (e.g. http://localhost:8233); without it no CORS headers are sent. */
  corsOrigin?: string;
  /** A decode request carries a whole history page of payloads. */
  bodyLimit?: string;
}

/** The webhook's codec-server settings (src/settings/codec.ts reads them): it needs the keys. */
export interface CodecServerConfig extends Pick<CodecRouterOptions, 'authToken' | 'corsOrigin'> {
  keyring: EncryptionKeyring;
}

// Proto3 JSON of temporal.api.common.v1.Payloads: bytes fields are base64 strings.
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'not base64');
const payloadsBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), base64).nullish(), data: base64.nullish() })).max(10_000),
});
type JsonPayload = z.infer<typeof payloadsBody>['payloads'][number];

const fromJson = (json: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(json.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
  ),
  data: Buffer.from(json.data ?? '', 'base64'),
});
const toJson = (payload: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
  ),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});

/**
 * The Temporal codec-server protocol (POST …/encode and …/decode), so the Web UI and the CLI
 * (`--codec-endpoint`) can show encrypted payloads to people holding the token. Mount at the app root.
 */
export function createCodecRouter(options: CodecRouterOptions): Router {
  const router = Router();
  router.use('/codec', allowUiOrigin(options.corsOrigin));
  router.options('/codec/:operation(encode|decode)', (_req, res) => void res.status(204).end());
  router.post(
    '/codec/:operation(encode|decode)',
    requireBearer(options.authToken),
    express.json({ limit: options.bodyLimit ?? '8mb', type: () => true }),
    async (req, res, next) => {
      const parsed = payloadsBody.safeParse(req.body);
      if (!parsed.success)
        return void res
          .status(400)
          .json({ error: 'invalid_payloads', message: 'expected {"payloads":[{"metadata":{…},"data":"…"}]}' });
      const payloads = parsed.data.payloads.map(fromJson);
      try {
        const converted =
          req.params.operation === 'encode'
            ? await options.codec.encode(payloads)
            : await options.codec.decode(payloads);
        res.json({ payloads: converted.map(toJson) });
      } catch (error) {
        next(error);
      }
    },
  );
  router.use('/codec', codecErrors);
  return router;
}

function allowUiOrigin(corsOrigin: string | undefined): RequestHandler {
  return (req, res, next) => {
    // Only the configured UI may read answers; other origins get no CORS headers and the browser blocks them.
    if (corsOrigin && req.get('origin') === corsOrigin) {
      res.set({
        'Access-Control-Allow-Origin': corsOrigin,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-Namespace',
        'Access-Control-Max-Age': '600',
      });
    }
    res.vary('Origin');
    next();
  };
}

function requireBearer(token: Secret): RequestHandler {
  return (req, res, next) => {
    const presented = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1] ?? '';
    if (presented && token.equals(presented)) return next();
    res.status(401).json({ error: 'unauthorized', message: 'missing or invalid bearer token' });
  };
}

/** Undecryptable payloads (unknown key id, tampering) answer 422; messages name key ids, never key material. */
const codecErrors: ErrorRequestHandler = (error, _req, res, _next) => {
  const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 422;
  res
    .status(status)
    .json({ error: status === 413 ? 'payload_too_large' : 'codec_failed', message: String(error?.message ?? error) });
};
