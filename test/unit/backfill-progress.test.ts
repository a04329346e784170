import { PassThrough } from 'node:stream';
import { progressFor } from '../../src/cli/progress';

/** A stream that records what is written; `isTTY` decides which kind of progress it gets. */
function recorder(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 120, cursorTo: () => true, clearLine: () => true });
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

test('when stderr is not a terminal, then progress is plain lines with rows, rows/s and ETA, and a last line at the end', async () => {
  const out = recorder(false);
  const progress = progressFor(out.stream, 'backfill t', 60_000);

  progress.update(0, 10);
  progress.update(5, 10); // within the interval: no line
  progress.update(10, 10);
  progress.stop();
  await new Promise((resolve) => setImmediate(resolve));

  const lines = out.text().trim().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^backfill t: 0\/10 rows, [\d.]+ rows\/s, ETA \?$/);
  expect(lines[1]).toMatch(/^backfill t: 10\/10 rows, [\d.]+ rows\/s, ETA 0s$/);
});

test('when stderr is a terminal, then a bar shows the rows, rows/s and the ETA', async () => {
  const out = recorder(true);
  const progress = progressFor(out.stream, 'backfill t');

  progress.update(0, 4);
  progress.update(2, 4);
  progress.stop();
  await new Promise((resolve) => setImmediate(resolve));

  expect(out.text()).toMatch(/backfill t \[.*\] 2\/4 rows \| [\d.]+ rows\/s \| ETA /);
});
