import { ConfigError } from '../config/parse-env';
import { secretFromEnv } from '../config/secret';

const KEYS_VARIABLE = 'PAYLOAD_ENCRYPTION_KEYS';
const CURRENT_VARIABLE = 'PAYLOAD_ENCRYPTION_KEY_ID';
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface EncryptionKeyring {
  /** The key new payloads are encrypted with. */
  currentKeyId: string;
  /** Every key that may still decrypt old payloads, by id; includes the current one. */
  keys: ReadonlyMap<string, Buffer>;
}

/**
 * Reads `PAYLOAD_ENCRYPTION_KEYS` (or `_FILE`): `id1:base64key,id2:base64key`, 32-byte AES-256 keys.
 * Returns undefined when encryption is not configured. Problems never quote key material.
 */
export function encryptionKeyringFromEnv(env: NodeJS.ProcessEnv): EncryptionKeyring | undefined {
  const list = readKeyList(env);
  const currentKeyId = env[CURRENT_VARIABLE]?.trim();
  if (!list) {
    if (currentKeyId) throw new ConfigError([`${CURRENT_VARIABLE}: set without ${KEYS_VARIABLE} (or ${KEYS_VARIABLE}_FILE)`]);
    return undefined;
  }
  const keys = parseKeyList(list);
  return { currentKeyId: chooseCurrentKey(keys, currentKeyId), keys };
}

function readKeyList(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return secretFromEnv(env, KEYS_VARIABLE)?.reveal().trim() || undefined;
  } catch (error) {
    throw new ConfigError([`${KEYS_VARIABLE}_FILE: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`]);
  }
}

function parseKeyList(list: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  const problems: string[] = [];
  list.split(',').map((entry) => entry.trim()).filter(Boolean).forEach((entry, index) => {
    const separator = entry.indexOf(':');
    const id = separator > 0 ? entry.slice(0, separator) : '';
    const encoded = entry.slice(separator + 1);
    const where = `${KEYS_VARIABLE}: entry ${index + 1}`;
    if (!KEY_ID.test(id)) return void problems.push(`${where}: expected id:base64key with an id of letters, digits, '.', '_' or '-'`);
    if (keys.has(id)) return void problems.push(`${where}: key id "${id}" appears twice`);
    const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
    if (key?.length !== KEY_BYTES) return void problems.push(`${where} ("${id}"): key must be ${KEY_BYTES} bytes in base64 (e.g. openssl rand -base64 32)`);
    keys.set(id, key);
  });
  if (!problems.length && !keys.size) problems.push(`${KEYS_VARIABLE}: no keys given`);
  if (problems.length) throw new ConfigError(problems);
  return keys;
}

function chooseCurrentKey(keys: Map<string, Buffer>, requested: string | undefined): string {
  if (requested) {
    if (!keys.has(requested)) throw new ConfigError([`${CURRENT_VARIABLE}: "${requested}" is not one of the ids in ${KEYS_VARIABLE} (${[...keys.keys()].join(', ')})`]);
    return requested;
  }
  // With several keys, guessing which one is current would silently pick the wrong one mid-rotation.
  if (keys.size > 1) throw new ConfigError([`${CURRENT_VARIABLE}: required when ${KEYS_VARIABLE} holds more than one key`]);
  return [...keys.keys()][0];
}
