import type { Router } from 'express';
import type { PayloadCodec } from '@temporalio/common';
import { ConfigError } from '../config/parse-env';
import { secretFromEnv } from '../config/secret';
import { EncryptionCodec } from './encryption-codec';
import { encryptionKeyringFromEnv } from './keys';
import { createCodecRouter } from './server';

export { EncryptionCodec, PayloadDecryptionError, ENCRYPTED_ENCODING, METADATA_KEY_ID } from './encryption-codec';
export { encryptionKeyringFromEnv, type EncryptionKeyring } from './keys';
export { createCodecRouter, type CodecRouterOptions } from './server';

/**
 * The payload codecs for `new Client({ dataConverter })` and `Worker.create({ dataConverter })`, or
 * undefined when PAYLOAD_ENCRYPTION_KEYS is unset. Client and worker must agree, or the worker
 * cannot read what the webhook started.
 */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv): { payloadCodecs: PayloadCodec[] } | undefined {
  const keyring = encryptionKeyringFromEnv(env);
  return keyring && { payloadCodecs: [new EncryptionCodec(keyring)] };
}

/**
 * The codec-server routes when CODEC_AUTH_TOKEN (or _FILE) is set; undefined otherwise. Serving the
 * decoder without a token would hand every history's plaintext to anyone who can reach the webhook.
 */
export function codecRouterFromEnv(env: NodeJS.ProcessEnv): Router | undefined {
  const authToken = secretFromEnv(env, 'CODEC_AUTH_TOKEN');
  const corsOrigin = env.CODEC_CORS_ORIGIN?.trim() || undefined;
  if (!authToken) {
    if (corsOrigin) throw new ConfigError(['CODEC_AUTH_TOKEN: required when CODEC_CORS_ORIGIN is set (the codec server needs a token)']);
    return undefined;
  }
  const keyring = encryptionKeyringFromEnv(env);
  if (!keyring) throw new ConfigError(['PAYLOAD_ENCRYPTION_KEYS: required when CODEC_AUTH_TOKEN is set (the codec server needs the keys)']);
  if (corsOrigin && !isOrigin(corsOrigin)) throw new ConfigError([`CODEC_CORS_ORIGIN: must be an origin like http://localhost:8233 (scheme, host, optional port; no path)`]);
  return createCodecRouter({ codec: new EncryptionCodec(keyring), authToken, corsOrigin });
}

function isOrigin(value: string): boolean {
  return URL.canParse(value) && new URL(value).origin === value;
}
