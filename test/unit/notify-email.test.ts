import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import pino from 'pino';
import { Secret } from '../../src/common/secret';
import { createNotifier, type FailureReport, type Notifier } from '../../src/notify';
import type { EmailConfig } from '../../src/notify/types';

interface ReceivedMail {
  user: string | undefined;
  raw: string;
}

const SMTP_USER = 'bridge-mailer';
const SMTP_PASSWORD = 'smtp-pa55word-xyz';
const received: ReceivedMail[] = [];
const silentLogger = pino({ level: 'silent' });

// A real SMTP server: plain text on loopback, so neither side needs certificates; AUTH accepted without TLS.
const server = new SMTPServer({
  authOptional: true,
  allowInsecureAuth: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onAuth(auth, _session, callback) {
    if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return callback(null, { user: auth.username });
    return callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      received.push({ user: session.user as string | undefined, raw: Buffer.concat(chunks).toString('utf8') });
      callback();
    });
  },
});

let port = 0;
const notifiers: Notifier[] = [];

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await Promise.all(notifiers.map((notifier) => notifier.close()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
});

function emailNotifier(overrides: Partial<EmailConfig> = {}): Notifier {
  const email: EmailConfig = {
    host: '127.0.0.1',
    port,
    secure: false,
    from: 'bridge@example.test',
    to: ['ops@example.test'],
  };
  const notifier = createNotifier({ email: { ...email, ...overrides } }, { logger: silentLogger });
  notifiers.push(notifier);
  return notifier;
}

/** The key the activity derives for one park on one channel. */
const KEY = 'a1'.repeat(32);

const report: FailureReport = {
  workflowId: 'orders_insert:7f0c1e2a',
  runId: 'run-1',
  trigger: 'orders_insert',
  table: 'public.orders',
  op: 'INSERT',
  eventId: '7f0c1e2a',
  rowKey: '<b>42</b>',
  lastError: { message: 'ServiceNow said: <script>alert(1)</script>', type: 'TicketValidationError' },
  attempts: 7,
  webUiUrl: 'http://127.0.0.1:8233/namespaces/default/workflows/orders_insert%3A7f0c1e2a/run-1/history',
  occurredAt: '2025-03-01T10:00:00.000Z',
  outcome: 'parked',
  parkedUntil: '2025-03-02T10:00:00.000Z',
  park: 1,
};

/** The decoded text/plain and text/html parts and the unfolded headers of a raw multipart/alternative message. */
function parseMail(raw: string): { headers: string; text: string; html: string } {
  const [head] = raw.split('\r\n\r\n', 1);
  const headers = head.replace(/\r\n[ \t]+/g, ' ');
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(headers)?.[1];
  if (!boundary) throw new Error('not a multipart message');
  const parts = raw.split(`--${boundary}`).slice(1, -1);
  const part = (type: string) => {
    const found = parts.find((candidate) => new RegExp(`content-type: ${type}`, 'i').test(candidate));
    if (!found) throw new Error(`no ${type} part`);
    const separator = found.indexOf('\r\n\r\n');
    return decodeBody(found.slice(0, separator), found.slice(separator + 4));
  };
  return { headers, text: part('text/plain'), html: part('text/html') };
}

function decodeBody(partHeaders: string, body: string): string {
  const encoding = /content-transfer-encoding:\s*([\w-]+)/i.exec(partHeaders)?.[1].toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding !== 'quoted-printable') return body;
  const bytes = body
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

describe('email notifications', () => {
  test('when a parked report is sent, then one mail arrives with subject, fields, link and commands', async () => {
    await expect(emailNotifier().send('email', report, KEY)).resolves.toBe('sent');

    expect(received).toHaveLength(1);
    const { headers, text, html } = parseMail(received[0].raw);
    expect(headers).toMatch(/^Subject: \[incident-bridge\] parked: orders_insert public\.orders <b>42<\/b>$/m);
    expect(headers).toMatch(/^To: ops@example\.test$/m);
    for (const field of ['orders_insert', 'public.orders', 'INSERT', '7f0c1e2a', 'Attempts: 7', report.webUiUrl]) {
      expect(text).toContain(field);
    }
    expect(text).toContain('TicketValidationError: ServiceNow said: <script>alert(1)</script>');
    expect(text).toContain("temporal workflow update execute -w 'orders_insert:7f0c1e2a' --name retry");
    expect(text).toContain("temporal workflow update execute -w 'orders_insert:7f0c1e2a' --name abandon");
    expect(html).toContain(`<a href="${report.webUiUrl}">`);
  });

  test('when row values and errors hold markup, then the HTML body shows them escaped', async () => {
    await emailNotifier().send('email', report, KEY);

    const { html } = parseMail(received[0].raw);
    expect(html).toContain('&lt;b&gt;42&lt;/b&gt;');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
  });

  test('when one notification is sent twice, then both mails carry the same Message-ID, its key in the sender domain; another key gets another', async () => {
    const sender = emailNotifier({ from: 'Incident Bridge <bridge@mail.example.test>' });
    await sender.send('email', report, KEY);
    await sender.send('email', report, KEY);
    await sender.send('email', { ...report, park: 2 }, 'b2'.repeat(32));

    const ids = received.map((mail) => /^Message-ID: (.+)$/m.exec(parseMail(mail.raw).headers)?.[1]);
    expect(ids[0]).toBe(`<${KEY}@mail.example.test>`);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).toBe(`<${'b2'.repeat(32)}@mail.example.test>`);
  });

  test('when a custom subject prefix is configured, then the subject starts with it', async () => {
    await emailNotifier({ subjectPrefix: '[prod-bridge]' }).send('email', { ...report, rowKey: undefined }, KEY);

    const { headers } = parseMail(received[0].raw);
    expect(headers).toMatch(/^Subject: \[prod-bridge\] parked: orders_insert public\.orders 7f0c1e2a$/m);
  });

  test('when SMTP credentials are configured, then the server sees the user and no password in the mail', async () => {
    const auth = { user: SMTP_USER, pass: new Secret(SMTP_PASSWORD) };

    await expect(emailNotifier({ auth }).send('email', report, KEY)).resolves.toBe('sent');

    expect(received).toHaveLength(1);
    expect(received[0].user).toBe(SMTP_USER);
    expect(received[0].raw).not.toContain(SMTP_PASSWORD);
  });

  test('when the login is rejected, then send throws naming the channel and SMTP code but no credentials', async () => {
    const auth = { user: SMTP_USER, pass: new Secret('wrong-secret-value') };

    const failure = await emailNotifier({ auth })
      .send('email', report, KEY)
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(Error);
    const { message } = failure as Error;
    expect(message).toMatch(/^email notification failed: SMTP 535/);
    expect(message).not.toContain('wrong-secret-value');
    expect(message).not.toContain(SMTP_USER);
    expect(received).toHaveLength(0);
  });

  test('when a failed (closed) workflow is reported, then the message offers a reset instead of retry and abandon', async () => {
    await emailNotifier().send('email', { ...report, outcome: 'failed', parkedUntil: undefined }, KEY);

    const { headers, text } = parseMail(received[0].raw);
    expect(headers).toMatch(/^Subject: \[incident-bridge\] failed: /m);
    expect(text).toContain("temporal workflow reset -w 'orders_insert:7f0c1e2a' -t FirstWorkflowTask");
    expect(text).not.toContain('--name retry');
  });
});
