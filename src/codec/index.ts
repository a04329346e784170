import type { Router } from 'express';
import type { PayloadCodec } from '@temporalio/common';
import { EncryptionCodec, type EncryptionKeyring } from './encryption-codec';
import { createCodecRouter, type CodecServerConfig } from './server';

export { EncryptionCodec, PayloadDecryptionError, ENCRYPTED_ENCODING, METADATA_KEY_ID } from './encryption-codec';
export type { EncryptionKeyring } from './encryption-codec';
export { createCodecRouter, type CodecRouterOptions, type CodecServerConfig } from './server';

/**
 * The payload codecs for `new Client({ dataConverter })` and `Worker.create({ dataConverter })`, or
 * undefined when PAYLOAD_ENCRYPTION_KEYS is unset. Client and worker must agree, or the worker
 * cannot read what the webhook started.
 */
export function dataConverterFor(keyring?: EncryptionKeyring): { payloadCodecs: PayloadCodec[] } | undefined {
  return keyring && { payloadCodecs: [new EncryptionCodec(keyring)] };
}

/** The codec-server routes for the Web UI, when CODEC_AUTH_TOKEN is configured. */
export function codecRouterFor(server: CodecServerConfig | undefined): Router | undefined {
  if (!server) return undefined;
  const { keyring, authToken, corsOrigin } = server;
  return createCodecRouter({ codec: new EncryptionCodec(keyring), authToken, corsOrigin });
}
