import { createHash } from 'node:crypto';

/** SHA-256 as lower-case hex: what src/contract/ids.ts hashes long row keys with (workflow code cannot). */
export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
