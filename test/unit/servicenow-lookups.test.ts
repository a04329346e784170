import type { TicketRef } from '../../src/ticketing/ticket-target';
import { useLookupStack } from '../helpers/servicenow-lookups';

/**
 * Issue 16, backlog drain: after an outage every retry looks its key up before it creates, and the lookups
 * spent half the API's rate limit. A rate-limited target now sends the lookups that wait for a turn as one query.
 */
const { simulator, target, behindOne, oneByOne } = useLookupStack(16);

const lookupCalls = () => simulator().stats().byMethod.GET ?? 0;

/** Tickets for each key: none for some, two (one cancelled) for others, as retries and late checks leave them. */
async function seed(keys: string[]): Promise<void> {
  const writer = target();
  for (const [i, key] of keys.entries()) {
    for (let n = 0; n < i % 3; n++) {
      const ref = await writer.create({ correlationId: key, fields: { short_description: `${key} #${n}` } });
      if (n === 1) await writer.cancelDuplicate(ref, { ...ref, id: 'kept' });
    }
  }
}

test('when lookups wait for the rate limit, then they share one query, and each key gets exactly its own tickets', async () => {
  const keys = Array.from({ length: 20 }, (_, i) => `drain:${i}`);
  await seed(keys);
  const expected = await oneByOne(keys);
  const before = lookupCalls();

  const limited = target(10);
  const answers = await Promise.all(keys.map((key) => limited.findByCorrelation(key)));

  expect(answers).toEqual(expected);
  expect(expected.flat().length).toBeGreaterThan(10);
  expect(lookupCalls() - before).toBeLessThanOrEqual(3);
});

test('when a query for several keys may be cut by its limit, then each key is asked alone and gets what it would alone', async () => {
  const writer = target();
  const crowded = Array.from({ length: 201 }, (_, n) => `crowded #${n}`);
  for (const short_description of crowded)
    await writer.create({ correlationId: 'drain:crowded', fields: { short_description } });
  await writer.create({ correlationId: 'drain:quiet', fields: { short_description: 'quiet' } });
  const expected = await oneByOne(['drain:crowded', 'drain:quiet']);
  expect(expected[0]).toHaveLength(100);

  const { first, rest } = await behindOne(target(10), ['drain:crowded', 'drain:quiet']);

  await first;
  expect(await Promise.all(rest)).toEqual(expected);
});

test('when a key holds a comma, then it is looked up alone: IN cannot quote it', async () => {
  await target().create({ correlationId: 'drain:a,b', fields: { short_description: 'comma' } });
  const before = lookupCalls();
  const { first, rest } = await behindOne(target(10), ['drain:a,b', 'drain:a', 'drain:b']);

  await first;
  const [comma, a, b] = (await Promise.all(rest)) as TicketRef[][];
  expect(comma.map((ref) => ref.number)).toHaveLength(1);
  expect([a, b]).toEqual([[], []]);
  expect(lookupCalls() - before).toBe(3);
});

test("when a caller's attempt ends while its lookup waits, then it alone is answered with the abort", async () => {
  await target().create({ correlationId: 'drain:kept', fields: { short_description: 'kept' } });
  const ended = new AbortController();
  const { first, rest } = await behindOne(target(10), ['drain:ended', 'drain:kept'], [ended.signal]);
  ended.abort(new Error('attempt deadline'));

  await first;
  const [aborted, kept] = await Promise.all(rest);
  expect(aborted).toMatchObject({ name: 'TicketUnavailableError' });
  expect((kept as TicketRef[]).map((ref) => ref.number)).toHaveLength(1);
});

test('when the shared query fails, then each of its callers gets the failure, and the next lookups get a new query', async () => {
  const limited = target(10);
  simulator().setFaults({ outage: { forMs: 60_000 } });
  const { first, rest } = await behindOne(limited, ['drain:x', 'drain:y']);
  await expect(first).rejects.toMatchObject({ name: 'TicketUnavailableError' });
  for (const failed of await Promise.all(rest)) expect(failed).toMatchObject({ name: 'TicketUnavailableError' });

  simulator().setFaults({});
  expect(await Promise.all(['drain:x', 'drain:y'].map((key) => limited.findByCorrelation(key)))).toEqual([[], []]);
});

test('when no rate limit is configured, then every lookup is its own query, sent at once', async () => {
  const before = lookupCalls();
  const unlimited = target();
  await Promise.all(Array.from({ length: 5 }, (_, i) => unlimited.findByCorrelation(`drain:${i}`)));
  expect(lookupCalls() - before).toBe(5);
});
