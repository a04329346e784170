import { RowBusyError, RowTurns, TURNS_PER_ROW } from '../../src/activities/row-turns';

/** A forward's call that finishes when the test says so. */
function call() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { finish, work: () => done };
}
const later = (ms = 60_000) => Date.now() + ms;
const tick = () => new Promise((resolve) => setImmediate(resolve));

test('when more forwards to one row arrive than it has turns, then at most TURNS_PER_ROW run and the others follow in arrival order', async () => {
  const turns = new RowTurns();
  const calls = Array.from({ length: TURNS_PER_ROW + 2 }, call);
  const started: number[] = [];
  const runs = calls.map((c, index) => turns.run('row-a', later(), () => (started.push(index), c.work())));
  await tick();
  expect(started).toEqual([0, 1]);
  calls[1].finish();
  await tick();
  expect(started).toEqual([0, 1, 2]);
  calls[0].finish();
  calls[2].finish();
  calls[3].finish();
  await Promise.all(runs);
  expect(started).toEqual([0, 1, 2, 3]);
});

test('when another row is hot, then a forward to this row does not wait', async () => {
  const turns = new RowTurns();
  const hot = Array.from({ length: TURNS_PER_ROW }, call);
  const running = hot.map((c) => turns.run('row-hot', later(), c.work));
  await expect(turns.run('row-cold', later(), async () => 'landed')).resolves.toBe('landed');
  hot.forEach((c) => c.finish());
  await Promise.all(running);
});

test('when no turn frees before the attempt has no time left for a call, then the forward fails retryably naming the hot row', async () => {
  const turns = new RowTurns();
  const hot = Array.from({ length: TURNS_PER_ROW }, call);
  const running = hot.map((c) => turns.run('row-b', later(), c.work));
  const waited = turns.run('row-b', later(50), async () => 'never');
  await expect(waited).rejects.toThrow(RowBusyError);
  await expect(waited).rejects.toThrow(/row-b is hot/);
  hot.forEach((c) => c.finish());
  await Promise.all(running);
  // The turns are free again: the given-up waiter holds none.
  await expect(turns.run('row-b', later(), async () => 'landed')).resolves.toBe('landed');
});

test('when a forward fails, then its turn passes on', async () => {
  const turns = new RowTurns();
  const failing = Array.from({ length: TURNS_PER_ROW }, () =>
    turns.run('row-c', later(), () => Promise.reject(new Error('busy'))),
  );
  const next = turns.run('row-c', later(), async () => 'landed');
  await Promise.allSettled(failing);
  await expect(next).resolves.toBe('landed');
});
