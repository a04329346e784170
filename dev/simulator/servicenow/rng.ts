import { randomInt } from 'node:crypto';

/** A source of uniform numbers in [0, 1); seeded so fault choices and generated ids repeat under a seed. */
export type Rng = () => number;

/** mulberry32: tiny, fast, and good enough for simulated randomness (never for real secrets). */
export function createRng(seed: number = randomInt(2 ** 31)): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomChars(rng: Rng, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[Math.floor(rng() * alphabet.length)];
  return out;
}

/** A ServiceNow sys_id: 32 lowercase hex characters. */
export function randomSysId(rng: Rng): string {
  return randomChars(rng, '0123456789abcdef', 32);
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}
