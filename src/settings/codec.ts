import type { EncryptionKeyring } from '../codec/encryption-codec';
import { ConfigError } from '../common/config-error';
import { type Env } from './env';
import { secretFromEnv } from './env';
import type { CodecServerConfig } from '../codec/server';

const KEYS_VARIABLE = 'PAYLOAD_ENCRYPTION_KEYS';
const CURRENT_VARIABLE = 'PAYLOAD_ENCRYPTION_KEY_ID';
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Both processes: the webhook's client encrypts what the worker decrypts. */
export const PAYLOAD_KEY_VARIABLES: readonly string[] = [KEYS_VARIABLE, CURRENT_VARIABLE];
/** The webhook serves the codec endpoints for the Web UI. */
export const CODEC_SERVER_VARIABLES: readonly string[] = ['CODEC_AUTH_TOKEN', 'CODEC_CORS_ORIGIN'];

/**
 * Reads `PAYLOAD_ENCRYPTION_KEYS` (or `_FILE`): `id1:base64key,id2:base64key`, 32-byte AES-256 keys.
 * Returns undefined when encryption is not configured. Problems never quote key material.
 */
export function encryptionKeyringFromEnv(env: Env): EncryptionKeyring | undefined {
  const list = readKeyList(env);
  const currentKeyId = env[CURRENT_VARIABLE]?.trim();
  if (!list) {
    if (currentKeyId)
      throw new ConfigError([`${CURRENT_VARIABLE}: set without ${KEYS_VARIABLE} (or ${KEYS_VARIABLE}_FILE)`]);
    return undefined;
  }
  const keys = parseKeyList(list);
  return { currentKeyId: chooseCurrentKey(keys, currentKeyId), keys };
}

function readKeyList(env: Env): string | undefined {
  try {
    return secretFromEnv(env, KEYS_VARIABLE)?.reveal().trim() || undefined;
  } catch (error) {
    throw new ConfigError([
      `${KEYS_VARIABLE}_FILE: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    ]);
  }
}

function parseKeyList(list: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  const problems: string[] = [];
  list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .forEach((entry, index) => {
      const separator = entry.indexOf(':');
      const id = separator > 0 ? entry.slice(0, separator) : '';
      const encoded = entry.slice(separator + 1);
      const where = `${KEYS_VARIABLE}: entry ${index + 1}`;
      if (!KEY_ID.test(id))
        return void problems.push(`${where}: expected id:base64key with an id of letters, digits, '.', '_' or '-'`);
      if (keys.has(id)) return void problems.push(`${where}: key id "${id}" appears twice`);
      const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
      if (key?.length !== KEY_BYTES)
        return void problems.push(
          `${where} ("${id}"): key must be ${KEY_BYTES} bytes in base64 (e.g. openssl rand -base64 32)`,
        );
      keys.set(id, key);
    });
  if (!problems.length && !keys.size) problems.push(`${KEYS_VARIABLE}: no keys given`);
  if (problems.length) throw new ConfigError(problems);
  return keys;
}

function chooseCurrentKey(keys: Map<string, Buffer>, requested: string | undefined): string {
  if (requested) {
    if (!keys.has(requested))
      throw new ConfigError([
        `${CURRENT_VARIABLE}: "${requested}" is not one of the ids in ${KEYS_VARIABLE} ` +
          `(${[...keys.keys()].join(', ')})`,
      ]);
    return requested;
  }
  // With several keys, guessing which one is current would silently pick the wrong one mid-rotation.
  if (keys.size > 1)
    throw new ConfigError([`${CURRENT_VARIABLE}: required when ${KEYS_VARIABLE} holds more than one key`]);
  return [...keys.keys()][0];
}

/**
 * The codec server when CODEC_AUTH_TOKEN (or _FILE) is set; undefined otherwise. Serving the decoder
 * without a token would hand every history's plaintext to anyone who can reach the webhook.
 */
export function codecServerFromEnv(env: Env, keyring: EncryptionKeyring | undefined): CodecServerConfig | undefined {
  const authToken = secretFromEnv(env, 'CODEC_AUTH_TOKEN');
  const corsOrigin = env.CODEC_CORS_ORIGIN?.trim() || undefined;
  const problem = (message: string) => new ConfigError([message]);
  if (!authToken) {
    if (!corsOrigin) return undefined;
    throw problem('CODEC_AUTH_TOKEN: required when CODEC_CORS_ORIGIN is set (the codec server needs a token)');
  }
  if (!keyring) {
    throw problem(`${KEYS_VARIABLE}: required when CODEC_AUTH_TOKEN is set (the codec server needs the keys)`);
  }
  if (corsOrigin && !isOrigin(corsOrigin)) {
    const example = 'http://localhost:8233 (scheme, host, optional port; no path)';
    throw problem(`CODEC_CORS_ORIGIN: must be an origin like ${example}`);
  }
  return { keyring, authToken, corsOrigin };
}

function isOrigin(value: string): boolean {
  return URL.canParse(value) && new URL(value).origin === value;
}
