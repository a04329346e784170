import { MockActivityEnvironment } from '@temporalio/testing';
import { createInboundActivities } from '../../src/activities/inbound';
import { loadBridgeConfig } from '../../src/settings/file/load';
import type { RowWrite, RowWriter } from '../../src/source/row-writer';
import { configDir } from '../fixtures/config/write-config';
import { CORRELATION_ENV } from '../helpers/correlation';
import { boundInboundYaml } from '../helpers/inbound-yaml';

const files = configDir();
afterAll(() => files.remove());

const YAML = boundInboundYaml([{ name: 'orders' }]);

const WRITE = {
  ...{ trigger: 'orders', table: { schema: 'public', name: 'orders' }, key: { id: '1' }, values: {} },
  onlyIf: { ticket_sys_id: 'a1b2c3' },
};

/** Records the time bound each write is given. */
class BoundRecorder implements RowWriter {
  readonly bounds: (number | undefined)[] = [];
  async write(request: RowWrite) {
    this.bounds.push(request.timeoutMs);
    return { rows: 1, changed: 1 };
  }
  async read() {
    return undefined;
  }
  async close() {}
}

test('when the write attempt waited in the task queue longer than its timeout, then its statement still gets the whole attempt (counted from its start, not its schedule)', async () => {
  const config = loadBridgeConfig({ env: { P: 'p', ...CORRELATION_ENV }, path: files.write('bound.yaml', YAML) });
  const writer = new BoundRecorder();
  const activities = createInboundActivities({ targets: {}, config, writers: { postgres: writer } } as never);
  const env = new MockActivityEnvironment({
    startToCloseTimeoutMs: 30_000,
    currentAttemptScheduledTimestampMs: Date.now() - 60_000, // a backlog: scheduled a minute ago
  });
  await env.run(activities.writeInboundRow, WRITE);
  expect(writer.bounds[0]).toBeGreaterThan(25_000);
  expect(writer.bounds[0]).toBeLessThanOrEqual(29_000);
});

test('when a write decided by a worker from before the ticket column was required comes without its condition, then it writes nothing and fails for good', async () => {
  const config = loadBridgeConfig({ env: { P: 'p', ...CORRELATION_ENV }, path: files.write('legacy.yaml', YAML) });
  const writer = new BoundRecorder();
  const activities = createInboundActivities({ targets: {}, config, writers: { postgres: writer } } as never);
  const { onlyIf: _none, ...legacy } = WRITE;
  const written = new MockActivityEnvironment().run(activities.writeInboundRow, legacy as typeof WRITE);
  await expect(written).rejects.toMatchObject({ nonRetryable: true, message: expect.stringContaining('not written') });
  expect(writer.bounds).toEqual([]);
});
