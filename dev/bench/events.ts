import { randomUUID } from 'node:crypto';
import { hasuraEventBody } from '../chaos/hasura-deliverer';

export const BENCH_SECRET = 'bench-webhook-secret';
export const BENCH_TRIGGER = 'create_servicenow_incident';

/** A Hasura v2 INSERT delivery with a fresh event id, about the size of a small real row. */
export function benchEventBody(id: string = randomUUID()): Record<string, unknown> {
  return hasuraEventBody({ id, trigger: BENCH_TRIGGER });
}

export const BENCH_HEADERS = { 'content-type': 'application/json', 'x-webhook-secret': BENCH_SECRET };
