import request from 'supertest';
import { createApp } from '../../src/api/app';
import { Secret } from '../../src/common/secret';
import { createLogger } from '../../src/logging';
import { hasuraEventBody } from '../helpers/hasura';
import { LIFECYCLE_TRIGGER, RowLane } from '../helpers/row-lane';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';

let temporal: TestTemporal;
let lane: RowLane;
beforeAll(async () => {
  temporal = await connectTestTemporal();
  lane = await new RowLane(temporal).start();
});
afterAll(async () => {
  await lane?.stop();
  await temporal?.close();
});

const webhook = {
  secrets: [new Secret('s')],
  secretHeader: 'x-webhook-secret',
  bodyLimit: '64kb',
  retryAfterSeconds: 7,
};

/** POSTs a body whose row id is written as a bare JSON number, as row_to_json writes a bigint column. */
async function postWithBigintId(op: 'INSERT' | 'DELETE', digits: string) {
  const row = { id: '__ID__', title: `Row ${digits}`, priority: 'high' };
  const body = hasuraEventBody({
    trigger: LIFECYCLE_TRIGGER,
    op,
    old: op === 'DELETE' ? row : null,
    new: op === 'DELETE' ? null : row,
  });
  const text = JSON.stringify(body).replaceAll('"__ID__"', digits);
  const app = createApp({ starter: lane.starter, logger: createLogger({ level: 'silent' }), webhook });
  const response = await request(app)
    .post('/hasura/events')
    .set('x-webhook-secret', 's')
    .set('content-type', 'application/json')
    .send(text);
  // Acknowledged once the row workflow holds the event (the webhook signalled it): its id is the answer's.
  expect(response.status).toBe(200);
  expect(response.body.workflowId).toBe(`row-${LIFECYCLE_TRIGGER}-public.incident_request-${digits}`);
}

test('when two bigint keys differ beyond 2^53, then each row has its own ticket and every digit survives', async () => {
  const base = 9_007_199_254_740_992n + BigInt(Math.floor(Math.random() * 1e9)) * 2n;
  const keys = [String(base), String(base + 1n)];
  for (const key of keys) await postWithBigintId('INSERT', key);
  for (const key of keys) await lane.settled(`row-${LIFECYCLE_TRIGGER}-public.incident_request-${key}`);
  for (const key of keys) await postWithBigintId('DELETE', key);
  for (const key of keys) {
    await lane.settled(`row-${LIFECYCLE_TRIGGER}-public.incident_request-${key}`);
    const tickets = lane.ticketsOf(key);
    expect(tickets).toHaveLength(1);
    expect(tickets[0].fields).toMatchObject({ short_description: `Row ${key}`, close_notes: `Row ${key} deleted` });
  }
});
