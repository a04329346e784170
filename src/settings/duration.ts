import ms from 'ms';
import { z } from 'zod';

/** A duration as people write it (`90s`, `5m`, `7d`) or a number of milliseconds. */
export const envDuration = z.string().transform((value, ctx) => {
  const parsed = /^\d+$/.test(value) ? Number(value) : ms(value as ms.StringValue);
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 0) {
    ctx.addIssue({ code: 'custom', message: `not a duration: ${JSON.stringify(value)} (e.g. 500ms, 90s, 5m, 7d)` });
    return z.NEVER;
  }
  return parsed;
});
