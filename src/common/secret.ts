import { timingSafeEqual, createHash } from 'node:crypto';
import { inspect } from 'node:util';

const REDACTED = '<secret>';

/**
 * A credential that never prints itself: String(), JSON and util.inspect all give `<secret>`,
 * so a config dump, a log line or an error message cannot leak it by accident.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The only way to the plain value; grep for it to audit where secrets go. */
  reveal(): string {
    return this.#value;
  }

  /** Constant-time comparison: hashing first makes the lengths equal, so length leaks nothing. */
  equals(candidate: string): boolean {
    const expected = createHash('sha256').update(this.#value).digest();
    const actual = createHash('sha256').update(candidate).digest();
    return timingSafeEqual(expected, actual);
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
