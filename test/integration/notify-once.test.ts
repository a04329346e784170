import { ApplicationFailure } from '@temporalio/common';
import pino from 'pino';
import type { BridgeActivities } from '../../src/contract';
import { createNotifier, type Notifier } from '../../src/notify';
import { TicketValidationError } from '../../src/ticketing/errors';
import { startEvent, untilState, withEventWorker } from '../helpers/event-harness';
import { FakeTarget } from '../helpers/fake-target';
import { startSmtpSink } from '../helpers/smtp';
import { eventually } from '../helpers/stack';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';

/**
 * "Notifies once" means once per park, also when the worker dies after a send: the retried activity
 * skips a send it recorded, and a send it could not record carries the same Message-ID again.
 */

let temporal: TestTemporal;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let notifier: Notifier;
beforeAll(async () => {
  temporal = await connectTestTemporal();
  smtp = await startSmtpSink();
  const email = { host: '127.0.0.1', port: smtp.port, secure: false, from: 'bridge@ops.test', to: ['oncall@ops.test'] };
  notifier = createNotifier({ email }, { logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await notifier?.close();
  await smtp?.close();
  await temporal?.close();
});

/** What a worker that dies at that moment looks like to Temporal: the attempt fails, retried at once. */
const workerDied = () => ApplicationFailure.create({ message: 'worker died', nextRetryDelay: 10 });

const parkingTarget = () => {
  const target = new FakeTarget();
  target.createFailures = [new TicketValidationError('Invalid urgency', { status: 400 })];
  return target;
};

const mailsOf = (workflowId: string) => smtp.mails.filter((mail) => mail.raw.includes(workflowId));
// Headers unfolded first: a long Message-ID is folded onto the next line.
const messageId = (raw: string) =>
  /^Message-ID: (.+)$/im.exec(raw.split('\r\n\r\n', 1)[0].replace(/\r\n[ \t]+/g, ' '))?.[1].trim();

test('when the worker dies after the email went out and was recorded, then the retried attempt does not send it again', async () => {
  const attempts: string[] = [];
  const activities = (real: BridgeActivities): BridgeActivities => ({
    ...real,
    notifyFailure: async (channel, facts) => {
      const outcome = await real.notifyFailure(channel, facts);
      attempts.push(outcome);
      if (attempts.length === 1) throw workerDied();
      return outcome;
    },
  });
  await withEventWorker(temporal, { target: parkingTarget(), notifier, activities }, async (h) => {
    const handle = await startEvent(h);
    await untilState(handle, 'waiting-for-operator');
    await eventually(() => (attempts.length === 2 ? true : undefined), { what: 'the retried notification' });
    expect(mailsOf(handle.workflowId)).toHaveLength(1);
  });
});

test('when the worker dies between the SMTP transaction and recording it, then the resent email has the same Message-ID, so mail systems can drop it', async () => {
  let sends = 0;
  const diesAfterSending: Notifier = {
    channels: () => ['email'],
    async send(channel, report, idempotencyKey) {
      await notifier.send(channel, report, idempotencyKey);
      sends += 1;
      if (sends === 1) throw workerDied();
      return 'sent';
    },
    close: async () => undefined,
  };
  await withEventWorker(temporal, { target: parkingTarget(), notifier: diesAfterSending }, async (h) => {
    const handle = await startEvent(h);
    await untilState(handle, 'waiting-for-operator');
    const mails = await eventually(() =>
      mailsOf(handle.workflowId).length === 2 ? mailsOf(handle.workflowId) : undefined,
    );
    expect(messageId(mails[0].raw)).toMatch(/^<[0-9a-f]{32,}@ops\.test>$/);
    expect(messageId(mails[1].raw)).toBe(messageId(mails[0].raw));
  });
});

test('when an event parks twice, then each park gets its own notification and its own Message-ID', async () => {
  const target = new FakeTarget();
  target.createFailures = [new TicketValidationError('Invalid urgency'), new TicketValidationError('Invalid urgency')];
  await withEventWorker(temporal, { target, notifier }, async (h) => {
    const handle = await startEvent(h);
    await untilState(handle, 'waiting-for-operator');
    await eventually(() => mailsOf(handle.workflowId)[0], { what: 'the first email' });
    await handle.signal('retry');
    const mails = await eventually(() =>
      mailsOf(handle.workflowId).length === 2 ? mailsOf(handle.workflowId) : undefined,
    );
    expect(messageId(mails[1].raw)).not.toBe(messageId(mails[0].raw));
    await handle.signal('abandon', { reason: 'test done' });
    await handle.result();
  });
});
