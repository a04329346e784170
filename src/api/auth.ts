import type { RequestHandler } from 'express';
import type { Secret } from '../common/secret';

/**
 * Hasura's only auth mechanism is a shared-secret header. Compared in constant time against every
 * accepted secret (current + previous during rotation) so neither timing nor order leaks a match.
 */
export function requireSharedSecret(options: { header: string; secrets: Secret[] }): RequestHandler {
  return (req, res, next) => {
    const presented = req.get(options.header);
    const matches = options.secrets.map((secret) => secret.equals(presented ?? ''));
    if (presented && matches.some(Boolean)) return next();
    // Same body for missing and wrong: the caller learns nothing about which it was.
    res.status(401).json({ error: 'unauthorized', message: `missing or invalid ${options.header} header` });
  };
}
