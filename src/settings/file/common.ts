import { z } from 'zod';
import { envDuration } from '../duration';
import { MAX_REQUEST_TIMEOUT_MS } from '../../ticketing/servicenow/options';

export const httpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL')
  .refine(
    (value) => !new URL(value).username && !new URL(value).password,
    'must not carry credentials (give them as auth settings)',
  );

/** A site root such as https://x.service-now.com: no path, trailing slash dropped. */
export const rootUrl = httpUrl
  .refine((value) => ['', '/'].includes(new URL(value).pathname), 'must be the site root, without a path')
  .transform((value) => value.replace(/\/+$/, ''));

/** `90s`, `5m` or a number of milliseconds. */
export const duration = z.union([z.number().int().min(0), envDuration]);

export const requestTimeout = duration
  .pipe(z.number().min(1000).max(MAX_REQUEST_TIMEOUT_MS, 'must stay below the 30 s activity timeout'))
  .describe('per-request timeout, e.g. `20s` (1s – 29s); default 20s');
