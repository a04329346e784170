import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Secret } from '../../src/common/secret';
import { createNotifier, type FailureReport, type Notifier, type NotifyConfig } from '../../src/notify';
import { notificationKey } from '../../src/notify/idempotency';

interface CapturedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

// Just the parts of the chat payloads these tests look at.
interface Block {
  type: string;
  elements?: Array<{ type: string; url?: string }>;
  inlines?: Array<{ type: string; text: string }>;
}
interface SlackPayload {
  text: string;
  blocks: Block[];
}
interface TeamsPayload {
  type: string;
  attachments: Array<{ contentType: string; content: { type: string; body: Block[] } }>;
}

const captured: CapturedRequest[] = [];
// The path picks the answer, so one server plays a healthy receiver, a failing one, a slow one and a redirect.
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const path = request.url ?? '';
    captured.push({ path, headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    if (path.startsWith('/slow')) return; // never answers; closed in afterAll
    if (path.startsWith('/redirect')) {
      response.writeHead(302, { location: '/hooks/elsewhere' }).end();
    } else {
      response.writeHead(path.startsWith('/fail') ? 500 : 200).end(path.startsWith('/fail') ? 'oops' : 'ok');
    }
  });
});

let baseUrl = '';
const notifiers: Notifier[] = [];
const silentLogger = pino({ level: 'silent' });

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all(notifiers.map((notifier) => notifier.close()));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  captured.length = 0;
});

function notifier(config: NotifyConfig, fetchTimeoutMs?: number): Notifier {
  const created = createNotifier(config, { logger: silentLogger, fetchTimeoutMs });
  notifiers.push(created);
  return created;
}

const chatConfig = (path: string, format: 'slack' | 'teams' = 'slack') => ({
  chat: { url: new Secret(`${baseUrl}${path}`), format },
});

/** The key the activity derives for one park on one channel. */
const KEY = 'c3'.repeat(32);

const report: FailureReport = {
  workflowId: 'orders_update:5d1e',
  runId: 'run-9',
  trigger: 'orders_update',
  table: 'public.orders',
  op: 'UPDATE',
  eventId: '5d1e',
  rowKey: '<!channel> & *urgent* [click](http://evil.test)',
  lastError: { message: 'upstream said `rm -rf` <here>', type: 'TicketUnavailableError' },
  attempts: 12,
  webUiUrl: 'http://127.0.0.1:8233/namespaces/default/workflows/orders_update%3A5d1e/run-9/history',
  occurredAt: '2025-03-01T10:00:00.000Z',
  outcome: 'parked',
  parkedUntil: '2025-03-02T10:00:00.000Z',
  park: 1,
};

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error('expected the promise to reject with an Error');
  return outcome;
}

describe('chat notifications', () => {
  test('when the format is slack, then one message with escaped mrkdwn and a Web UI button is posted', async () => {
    await expect(notifier(chatConfig('/hooks/T01/B02/slacktoken')).send('chat', report, KEY)).resolves.toBe('sent');

    expect(captured).toHaveLength(1);
    const { headers } = captured[0];
    const body = captured[0].body as SlackPayload;
    expect(headers['content-type']).toBe('application/json');
    expect(body.text).toContain('orders_update public.orders');
    const mrkdwn = JSON.stringify(body.blocks);
    expect(mrkdwn).toContain('`&lt;!channel&gt; &amp; *urgent* [click](http://evil.test)`');
    expect(mrkdwn).not.toContain('<!channel>');
    expect(mrkdwn).toContain("upstream said 'rm -rf' &lt;here&gt;");
    expect(mrkdwn).toContain("temporal workflow update execute -w 'orders_update:5d1e' --name retry");
    const button = body.blocks.find((block) => block.type === 'actions')?.elements?.[0];
    expect(button).toMatchObject({ type: 'button', url: report.webUiUrl });
  });

  test('when the format is teams, then an Adaptive Card shows untrusted text in plain text runs', async () => {
    await expect(notifier(chatConfig('/hooks/teams', 'teams')).send('chat', report, KEY)).resolves.toBe('sent');

    const body = captured[0].body as TeamsPayload;
    expect(body.type).toBe('message');
    expect(body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = body.attachments[0].content;
    expect(card).toMatchObject({ type: 'AdaptiveCard', actions: [{ type: 'Action.OpenUrl', url: report.webUiUrl }] });
    const runs = card.body.flatMap((block) => (block.type === 'RichTextBlock' ? (block.inlines ?? []) : []));
    expect(runs).toContainEqual({ type: 'TextRun', text: report.rowKey });
    const markdownBlocks = card.body.filter((block) => block.type === 'TextBlock');
    expect(JSON.stringify(markdownBlocks)).not.toContain('evil.test');
  });

  test('when the chat endpoint answers 500, then send throws naming channel and status but not the URL', async () => {
    const failure = await failureOf(notifier(chatConfig('/fail/T01/B02/s3cr3tT0ken')).send('chat', report, KEY));

    expect(failure.message).toBe('chat notification failed: HTTP 500');
    expect(failure.message).not.toContain('s3cr3tT0ken');
  });

  test('when the endpoint redirects, then send fails instead of following it', async () => {
    const failure = await failureOf(notifier(chatConfig('/redirect/token')).send('chat', report, KEY));

    expect(failure.message).toBe('chat notification failed: HTTP 302');
    expect(captured.map((request) => request.path)).toEqual(['/redirect/token']);
  });

  test('when the endpoint does not answer in time, then send throws a timeout error', async () => {
    const failure = await failureOf(notifier(chatConfig('/slow/token'), 200).send('chat', report, KEY));

    expect(failure.message).toBe('chat notification failed: no answer within 200 ms');
  });

  test('when nothing listens at the URL, then send throws a network error without the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = new Secret(`http://127.0.0.1:${deadPort}/hooks/deadtoken`);

    const failure = await failureOf(notifier({ chat: { url, format: 'slack' } }).send('chat', report, KEY));

    expect(failure.message).toBe('chat notification failed: network error ECONNREFUSED');
  });
});

describe('generic webhook notifications', () => {
  const headers = { Authorization: new Secret('Bearer hdr-s3cret'), 'X-Team': new Secret('payments') };

  test('when a report is sent, then the typed, versioned report is posted with the configured headers', async () => {
    const webhook = notifier({ webhook: { url: `${baseUrl}/events`, headers } });

    await expect(webhook.send('webhook', report, KEY)).resolves.toBe('sent');

    expect(captured).toHaveLength(1);
    expect(captured[0].headers).toMatchObject({ authorization: 'Bearer hdr-s3cret', 'x-team': 'payments' });
    expect(captured[0].headers['content-type']).toBe('application/json');
    expect(captured[0].body).toEqual({
      type: 'incident-bridge.event.failed',
      version: 1,
      ...report,
      idempotencyKey: KEY,
    });
  });

  test('when one notification is posted twice, then both carry its key as Idempotency-Key header and field, so the receiver can drop the second', async () => {
    const webhook = notifier({ webhook: { url: `${baseUrl}/events`, headers } });

    await webhook.send('webhook', report, KEY);
    await webhook.send('webhook', report, KEY);

    expect(captured.map((request) => request.headers['idempotency-key'])).toEqual([KEY, KEY]);
    expect(captured.map((request) => (request.body as { idempotencyKey: string }).idempotencyKey)).toEqual([KEY, KEY]);
  });

  test('when the error message is huge, then the posted report carries a bounded one', async () => {
    const huge = { ...report, lastError: { message: 'x'.repeat(100_000) } };

    await notifier({ webhook: { url: `${baseUrl}/events` } }).send('webhook', huge, KEY);

    const posted = (captured[0].body as FailureReport).lastError.message;
    expect(posted.length).toBeLessThanOrEqual(2000);
    expect(posted.endsWith('…')).toBe(true);
  });

  test('when the webhook answers 500, then send throws naming the status but no header value', async () => {
    const failure = await failureOf(
      notifier({ webhook: { url: `${baseUrl}/fail`, headers } }).send('webhook', report, KEY),
    );

    expect(failure.message).toBe('webhook notification failed: HTTP 500');
    expect(failure.message).not.toContain('hdr-s3cret');
  });
});

describe('idempotency keys', () => {
  const park = { workflowId: 'hasura-t-1', runId: 'run-1', park: 1 };

  test('when the same park is notified again on the same channel, then the key is the same; another park, run or channel gets another', () => {
    const key = notificationKey(park, 'email');

    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(notificationKey({ ...park }, 'email')).toBe(key);
    const others = [
      notificationKey({ ...park, park: 2 }, 'email'),
      notificationKey({ ...park, runId: 'run-2' }, 'email'),
      notificationKey(park, 'webhook'),
      notificationKey({ ...park, park: 'activity-7' }, 'email'),
    ];
    expect(new Set([key, ...others]).size).toBe(5);
  });
});

describe('channel selection', () => {
  test('when only some channels are configured, then channels() lists them and the others are skipped', async () => {
    const partial = notifier({ webhook: { url: `${baseUrl}/events` } });

    expect(partial.channels()).toEqual(['webhook']);
    await expect(partial.send('email', report, KEY)).resolves.toBe('skipped');
    await expect(partial.send('chat', report, KEY)).resolves.toBe('skipped');
    expect(captured).toHaveLength(0);
  });
});
