import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** The AES-256 keys of PAYLOAD_ENCRYPTION_KEYS (src/settings/codec.ts reads them). */
export interface EncryptionKeyring {
  /** The key new payloads are encrypted with. */
  currentKeyId: string;
  /** Every key that may still decrypt old payloads, by id; includes the current one. */
  keys: ReadonlyMap<string, Buffer>;
}

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';
const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/** A payload that cannot be decrypted: never handed on as if it were data. */
export class PayloadDecryptionError extends ValueError {
  override name = 'PayloadDecryptionError';
}

/**
 * AES-256-GCM over the whole serialized payload (metadata included, so even the inner encoding is
 * hidden). Wire format of `data`: IV (12) ‖ ciphertext ‖ auth tag (16); the key id is bound as
 * additional authenticated data, so relabelling a payload with another key id fails authentication.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: EncryptionKeyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  private encrypt(payload: Payload): Payload {
    const keyId = this.keyring.currentKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.keyring.keys.get(keyId)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(keyId));
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING), [METADATA_KEY_ID]: Buffer.from(keyId) },
      data: sealed,
    };
  }

  private decrypt(payload: Payload): Payload {
    // Payloads written before encryption was switched on stay readable.
    if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
    const keyId = text(payload.metadata?.[METADATA_KEY_ID]);
    const key = keyId === undefined ? undefined : this.keyring.keys.get(keyId);
    if (!keyId || !key)
      throw new PayloadDecryptionError(
        `payload encrypted with unknown key id "${keyId ?? ''}": add that key to PAYLOAD_ENCRYPTION_KEYS`,
      );
    const sealed = Buffer.from(payload.data ?? []);
    if (sealed.length < IV_BYTES + TAG_BYTES)
      throw new PayloadDecryptionError(`encrypted payload (key id "${keyId}") is truncated`);
    const decipher = createDecipheriv(CIPHER, key, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      const plain = Buffer.concat([
        decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
      const { metadata, data } = temporal.api.common.v1.Payload.decode(plain);
      return { metadata, data };
    } catch (error) {
      throw new PayloadDecryptionError(
        `encrypted payload (key id "${keyId}") failed authentication: wrong key or tampered data`,
        error,
      );
    }
  }
}
