import { randomUUID } from 'node:crypto';

export const BENCH_SECRET = 'bench-webhook-secret';
export const BENCH_TRIGGER = 'create_servicenow_incident';

/** A Hasura v2 INSERT delivery with a fresh event id, about the size of a small real row. */
export function benchEventBody(id: string = randomUUID()): Record<string, unknown> {
  const row = { id: 42, title: 'Printer on fire', description: 'Third floor, next to the kitchen', priority: 'high', status: 'open' };
  return {
    event: { session_variables: null, op: 'INSERT', data: { old: null, new: row }, trace_context: null },
    created_at: new Date().toISOString().replace('Z', '123'),
    id,
    delivery_info: { max_retries: 0, current_retry: 0 },
    trigger: { name: BENCH_TRIGGER },
    table: { schema: 'public', name: 'incident_request' },
  };
}

export const BENCH_HEADERS = { 'content-type': 'application/json', 'x-webhook-secret': BENCH_SECRET };
