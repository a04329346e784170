import { LookupBatcher, type KeyAnswer } from '../../src/ticketing/lookup-batcher';
import { batchable, fitsOneQuery, lookupQuery, recordsByKey } from '../../src/ticketing/servicenow/lookups';
import { settle, useLookupStack } from '../helpers/servicenow-lookups';

/**
 * Issue 16, second review of the shared lookups (LookupBatcher): each failed before its fix. A key refused alone
 * failed every key of its query; an HTML refusal of the query was not re-asked key by key; the length bound measured
 * another encoding than the URL's, and could throw out of the batcher.
 */
const { target, behindOne, proxy } = useLookupStack(18);

test('when one key of a shared query is refused alone (a 4xx), then only its own lookup fails', async () => {
  const held = await target().create({ correlationId: 'r2:held', fields: { short_description: 'held' } });
  // e.g. a WAF refusing a row key with "<script" in it; here: any URL naming "poison".
  const refusing = await proxy({ refuse: { when: (url) => url.includes('poison'), status: 400 } });
  const alone = target(undefined, refusing);
  expect((await alone.findByCorrelation('r2:held')).map((ref) => ref.id)).toEqual([held.id]);
  await expect(alone.findByCorrelation('r2:poison')).rejects.toMatchObject({ name: 'TicketValidationError' });

  const { first, rest } = behindOne(target(10, refusing), ['r2:held', 'r2:poison', 'r2:none']);
  await first;
  const [heldAnswer, , noneAnswer] = await Promise.all(rest);
  // Before: both were the poison key's TicketValidationError: permanent, so createTicket parked the event and
  // cancelDuplicateTickets failed for good, leaving a late duplicate open.
  expect(heldAnswer).toEqual([expect.objectContaining({ id: held.id })]);
  expect(noneAnswer).toEqual([]);
});

test('when a proxy refuses the shared query with its HTML page (nginx 414), then each key is asked alone', async () => {
  const held = await target().create({ correlationId: 'r2:held', fields: { short_description: 'held' } });
  const nginx414 =
    '<html>\r\n<head><title>414 Request-URI Too Large</title></head>\r\n<body>\r\n<center><h1>414 Request-URI Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
  const refuse = { when: (url: string) => url.includes('correlation_idIN'), status: 414, type: 'text/html' };
  const { first, rest } = behindOne(target(10, await proxy({ refuse: { ...refuse, body: nginx414 } })), [
    'r2:held',
    'r2:none',
  ]);
  await first;
  // Before: TicketUnavailableError "answered 414 with an HTML page", retried after 5 minutes, for every key.
  expect(await Promise.all(rest)).toEqual([[expect.objectContaining({ id: held.id })], []]);
});

test('when keys grow long under form encoding, then a query carries only what stays within 8 KB of URL', () => {
  const keys = Array.from({ length: 39 }, (_, i) => `r${String(i).padStart(2, '0')}${'('.repeat(97)}`);
  const urlOf = (some: string[]) => {
    const url = new URL('https://x.service-now.com/api/now/table/incident');
    for (const [name, value] of Object.entries(lookupQuery(some))) url.searchParams.set(name, value);
    return url.href;
  };
  const fitting = keys.filter((_, n) => fitsOneQuery(keys.slice(0, n + 1)));
  expect(fitting.length).toBeGreaterThan(1);
  // Before: all 39 fit, an URL of 11 811 characters.
  expect(urlOf(fitting).length).toBeLessThanOrEqual(8192);
});

test('when a key holds a lone surrogate, then nothing throws out of the batcher and every lookup is answered', async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const lookMany = async (ids: string[]) => {
    await held;
    return new Map<string, KeyAnswer>(ids.map((id) => [id, { status: 'fulfilled', value: [] }]));
  };
  const batcher = new LookupBatcher(lookMany, { fits: fitsOneQuery, system: 'test' });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const first = batcher.find('first');
    const waiting = [settle(batcher.find('ok')), settle(batcher.find('bad\uD800'))];
    release();
    await first;
    const timeout = new Promise((resolve) => setTimeout(() => resolve('never answered'), 500));
    const answers = await Promise.all(waiting.map((answer) => Promise.race([answer, timeout])));
    const later = await Promise.race([settle(batcher.find('later')), timeout]);
    // Before: ['never answered', 'never answered'], 'later' a URIError, and an unhandled rejection
    // (URIError: URI malformed, from #sendNext in .finally) would end a Node 20 worker.
    expect(answers).toEqual([[], []]);
    expect(later).toEqual([]);
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

const rec = (n: number, correlation_id: string | undefined) => ({
  sys_id: `s${n}`,
  number: `INC${n}`,
  state: '1',
  sys_created_on: '2026-12-03 10:00:00',
  ...(correlation_id === undefined ? {} : { correlation_id }),
});
const withTotal = (records: unknown[]) => ({
  status: 200,
  headers: { 'x-total-count': String(records.length) },
  bodyText: JSON.stringify({ result: records }),
  now: 0,
});

test('when a record comes back without correlation_id (a field ACL), then the keys are asked alone', () => {
  const records = [rec(1, 'k'), rec(2, undefined)];
  // Before: threw TicketUnavailableError "lacks the correlation_id field" for the whole batch, on every try.
  expect(recordsByKey(withTotal(records), records, ['k', 'q'])).toBeUndefined();
});

test('when two keys differ only in case, then each answers what its own = query answers on an instance that ignores case', () => {
  // Legacy row keys `<trigger>:<table>:<rowKey>` of rows 'abc' and 'ABC'; `correlation_id=t:public.u:abc` gives both.
  const records = [rec(1, 't:public.u:abc'), rec(2, 't:public.u:ABC')];
  const byKey = recordsByKey(withTotal(records), records, ['t:public.u:abc', 't:public.u:ABC']);
  // Before: each key got 1 record where alone it gets 2: the answer depends on whether the two were batched.
  expect(byKey?.get('t:public.u:abc')?.length ?? 2).toBe(2);
});

test('when a key starts with javascript:, then it is looked up alone: leading an IN list it may run as script', () => {
  expect([batchable('javascript:0d1e'), batchable('JavaScript:x'), batchable('trigger:0d1e')]).toEqual([
    false,
    false,
    true,
  ]);
});
