import { recordsByKey } from '../../src/ticketing/servicenow/lookups';
import type { TicketRef } from '../../src/ticketing/ticket-target';
import { useLookupStack } from '../helpers/servicenow-lookups';

/**
 * Issue 16, review of the shared lookups (LookupBatcher): each failed before its fix. A query too long for the
 * instance's URL limit failed every key in it for good; a page without pagination headers was taken as whole.
 */
const { simulator, target, behindOne, proxy, oneByOne } = useLookupStack(17);

test('when 40 keys of legal length in another script wait, then the query carries what fits its URL, and each key gets its own answer', async () => {
  // Row keys carry the row's primary key: a text key in any script. 100 characters is the legal maximum.
  const keys = Array.from({ length: 40 }, (_, i) => `rows:${String(i).padStart(2, '0')}:${'東'.repeat(92)}`);
  expect(keys.every((key) => key.length <= 100)).toBe(true);
  await target().create({ correlationId: keys[7], fields: { short_description: 'held' } });
  const expected = await oneByOne(keys);
  expect(expected[7]).toHaveLength(1);

  const { first, rest } = behindOne(target(10), keys);
  await first;
  const answers = await Promise.all(rest);
  // Before: each got TicketValidationError "ServiceNow answered 431" (permanent: the event parked, a late-duplicate
  // check failed at once and left its duplicates open).
  expect(answers).toEqual(expected);
});

test('when an answer has no pagination headers and an ACL hid a record, then the keys are asked alone: none is told "no ticket" wrongly', async () => {
  const writer = target();
  const crowded: TicketRef[] = [];
  for (let n = 0; n < 200; n++)
    crowded.push(await writer.create({ correlationId: 'review:crowded', fields: { short_description: `c${n}` } }));
  simulator().denyRead(crowded[0].id);
  const quiet = await writer.create({ correlationId: 'review:quiet', fields: { short_description: 'quiet' } });

  const proxied = await proxy({ stripPagination: true });
  expect((await target(undefined, proxied).findByCorrelation('review:quiet')).map((ref) => ref.id)).toEqual([quiet.id]);

  const { first, rest } = behindOne(target(10, proxied), ['review:crowded', 'review:quiet']);
  await first;
  const [, quietAnswer] = await Promise.all(rest);
  // Before: [] — createOrReuse created a second ticket, and the late-duplicate check saw none to cancel.
  expect((quietAnswer as TicketRef[]).map((ref) => ref.id)).toEqual([quiet.id]);
});

test('when a short page has no pagination headers, then it is not taken as whole', () => {
  const record = (n: number) => ({
    sys_id: `s${n}`,
    number: `INC${n}`,
    state: '1',
    sys_created_on: '2026-12-03 10:00:00',
    correlation_id: 'k',
  });
  const records = Array.from({ length: 199 }, (_, n) => record(n)); // the limit was 200; one record hidden
  const answer = { status: 200, headers: {}, bodyText: JSON.stringify({ result: records }), now: 0 };
  expect(recordsByKey(answer, records, ['k', 'q'])).toBeUndefined();
});

test('when a lookup of a key is asked while an earlier one of it is in flight, then it sees a commit made in between', async () => {
  // The server reads at once; the proxy holds the answer 500 ms: the early lookup has read, not yet answered.
  const limited = target(50, await proxy({ holdGetMs: 500 }));
  const early = limited.findByCorrelation('review:late');
  await new Promise((resolve) => setTimeout(resolve, 150));
  const committed = await target().create({ correlationId: 'review:late', fields: { short_description: 'late' } });
  const check = limited.findByCorrelation('review:late'); // the late-duplicate check, asked after the commit
  await early;
  expect((await check).map((ref) => ref.id)).toEqual([committed.id]);
});

test('when the instance refuses the shared query itself (a 431), then each key is asked alone and gets its own answer', async () => {
  const held = await target().create({ correlationId: 'review:held', fields: { short_description: 'held' } });
  const refusing = await proxy({ refuse: { status: 431, when: (url) => url.includes('correlation_idIN') } });

  const { first, rest } = behindOne(target(10, refusing), ['review:held', 'review:none']);
  await first;

  expect(await Promise.all(rest)).toEqual([[expect.objectContaining({ id: held.id })], []]);
});

test('when the shared answer holds a record of no key asked (an IN that ignores case), then the keys are asked alone', () => {
  const records = [
    { sys_id: 's', number: 'INC1', state: '1', sys_created_on: '2026-12-03 10:00:00', correlation_id: 'K' },
  ];
  const answer = {
    status: 200,
    headers: { 'x-total-count': '1' },
    bodyText: JSON.stringify({ result: records }),
    now: 0,
  };
  expect(recordsByKey(answer, records, ['k', 'q'])).toBeUndefined();
});
