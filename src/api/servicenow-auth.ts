import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { ServiceNowEventsConfig } from '../config/settings';
import { requireSharedSecret } from './auth';

const SHA256_BYTES = 32;

/**
 * Whether `signature` is the base64 HMAC-SHA256 of `body` under one of the secrets. Base64 because
 * that is what ServiceNow's GlideCertificateEncryption.generateMac returns. Every secret is tried
 * (current and previous, rotation) and compared in constant time on equal-length digests.
 */
export function signatureMatches(body: Buffer, signature: string, secrets: ServiceNowEventsConfig['secrets']): boolean {
  const presented = Buffer.from(signature.trim(), 'base64');
  if (presented.length !== SHA256_BYTES) return false;
  const matches = secrets.map((secret) =>
    timingSafeEqual(createHmac('sha256', secret.reveal()).update(body).digest(), presented),
  );
  return matches.some(Boolean);
}

/**
 * ServiceNow's business rule proves itself with the shared secret in a header (as Hasura does) or an
 * HMAC of the raw body; it runs after the body is read as bytes (express.raw) and before they are
 * decoded, so a BOM or a byte that is not UTF-8 is signed as sent. Missing and wrong get the same 401,
 * and nothing is started.
 */
export function requireServiceNowAuth(config: ServiceNowEventsConfig): RequestHandler {
  if (config.auth === 'header') return requireSharedSecret({ header: config.header, secrets: config.secrets });
  return (req, res, next) => {
    const signature = req.get(config.header);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (signature && signatureMatches(body, signature, config.secrets)) return next();
    res.status(401).json({ error: 'unauthorized', message: `missing or invalid ${config.header} signature` });
  };
}
