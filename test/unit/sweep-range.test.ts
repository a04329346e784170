import { halfway, lowerBound, MAX_SYS_ID, nextUpper, openUpper } from '../../src/activities/sweep-range';

/* Review 14 (4): the sweep's ranges over (sys_updated_on, sys_id), which replace the offset past hidden pages. */
const at = (updatedOn: string, sysId = MAX_SYS_ID) => ({ updatedOn, sysId });
const ID_A = '0123456789abcdef0123456789abcdef';
const ID_B = '0123456789abcdef0123456789abcdf1';
const order = (p: { updatedOn: string; sysId: string }) => `${p.updatedOn}|${p.sysId}`;

test('since is inclusive: the lower bound is the end of the second before it', () => {
  expect(lowerBound('2026-03-01 10:00:00')).toEqual(at('2026-03-01 09:59:59'));
  expect(lowerBound('2026-03-01 10:00:00', at('2026-03-01 10:05:00', ID_A))).toEqual(at('2026-03-01 10:05:00', ID_A));
});

test('halfway splits whole seconds first, strictly inside the range', () => {
  const lower = at('2026-03-01 10:00:00', ID_A);
  expect(halfway(lower, at('2026-03-01 10:00:10'))).toEqual(at('2026-03-01 10:00:05'));
  expect(halfway(lower, at('2026-03-01 10:00:02', ID_A))).toEqual(at('2026-03-01 10:00:01'));
  // Adjacent seconds: the rest of the lower's second, then the upper's second from its start.
  expect(halfway(lower, at('2026-03-01 10:00:01', ID_A))).toEqual(at('2026-03-01 10:00:00'));
  const split = halfway(at('2026-03-01 10:00:00'), at('2026-03-01 10:00:01', ID_A));
  expect(split?.updatedOn).toBe('2026-03-01 10:00:01');
  expect(split!.sysId < ID_A).toBe(true);
});

test('within one second it halves the sys_ids, and says when nothing lies between', () => {
  const lower = at('2026-03-01 10:00:00', ID_A);
  const split = halfway(lower, at('2026-03-01 10:00:00', ID_B))!;
  expect(order(lower) < order(split) && order(split) < order(at('2026-03-01 10:00:00', ID_B))).toBe(true);
  expect(split.sysId).toHaveLength(32);
  const next = `${ID_A.slice(0, 31)}${(parseInt(ID_A.slice(31), 16) + 1).toString(16)}`;
  expect(halfway(lower, at('2026-03-01 10:00:00', next))).toBeUndefined();
  expect(halfway(at('2026-03-01 10:00:00', 'not-hex'), at('2026-03-01 10:00:00', ID_B))).toBeUndefined();
});

test('repeated halving reaches a single position in a bounded number of steps', () => {
  const lower = at('2026-03-01 10:00:00', ID_A);
  let upper: { updatedOn: string; sysId: string } | undefined = at('2026-03-02 10:00:00');
  let steps = 0;
  for (; upper; steps += 1) {
    const next = halfway(lower, upper);
    if (next) expect(order(lower) < order(next) && order(next) < order(upper)).toBe(true);
    upper = next;
  }
  // 17 halvings of a day's seconds, one to the lower's second, up to 128 of its sys_ids.
  expect(steps).toBeLessThan(17 + 1 + 129);
});

test('the next range doubles, and opens once it reaches the clock; the open upper is past the lower', () => {
  const now = Date.parse('2026-03-01T11:00:00Z');
  expect(nextUpper(at('2026-03-01 10:00:00'), at('2026-03-01 10:00:04'), now)).toEqual(at('2026-03-01 10:00:12'));
  expect(nextUpper(at('2026-03-01 10:00:00', ID_A), at('2026-03-01 10:00:00'), now)).toEqual(at('2026-03-01 10:00:02'));
  expect(nextUpper(at('2026-03-01 10:00:00'), at('2026-03-01 10:40:00'), now)).toBeUndefined();
  expect(openUpper(at('2026-03-01 12:00:00', ID_A), now)).toEqual(at('2026-03-01 12:00:01'));
  expect(openUpper(at('2026-03-01 10:00:00', ID_A), now)).toEqual(at('2026-03-01 11:00:00'));
});
