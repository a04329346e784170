import { Secret } from '../../src/common/secret';
import { DEFAULT_JIRA_USER, startJiraSimulator, type JiraSimulator } from '../../dev/simulator/jira/server';
import {
  TicketAuthError,
  TicketConflictError,
  TicketNotFoundError,
  TicketRateLimitedError,
  TicketUnavailableError,
  TicketValidationError,
} from '../../src/ticketing/errors';
import { adfToText, correlationLabel, createJiraTarget, textToAdf, type JiraOptions } from '../../src/ticketing/jira';
import type { PooledTarget } from '../../src/ticketing/ticket-target';

let simulator: JiraSimulator;
let options: JiraOptions;
let target: PooledTarget;
const others: PooledTarget[] = [];

function otherTarget(overrides: Partial<JiraOptions>): PooledTarget {
  const created = createJiraTarget({ ...options, ...overrides });
  others.push(created);
  return created;
}

beforeAll(async () => {
  simulator = await startJiraSimulator();
  options = {
    baseUrl: simulator.url,
    project: 'OPS',
    issueType: 'Task',
    email: DEFAULT_JIRA_USER.email,
    apiToken: new Secret(DEFAULT_JIRA_USER.apiToken),
    doneTransition: 'Done',
    labels: ['incident-bridge'],
    requestTimeoutMs: 2000,
  };
  target = createJiraTarget(options);
});

afterEach(() => simulator.setFaults({}));

afterAll(async () => {
  await Promise.all([target, ...others].map((created) => created.close()));
  await simulator.close();
});

function stored(key: string) {
  const issue = simulator.issues().find((candidate) => candidate.key === key);
  if (!issue) throw new Error(`no issue ${key} in the simulator`);
  return issue;
}

describe('Jira target field translation', () => {
  it('when fields use ServiceNow names, then summary, ADF description, priority, labels and a comment are written', async () => {
    const description = 'Line one {{ not a template }}\n<script>x</script>\n\nSecond paragraph 🔥';
    const fields = {
      short_description: `Title\nwith newline ${'y'.repeat(300)}`,
      description,
      priority: 'High',
      labels: 'db, urgent',
      work_notes: 'first note',
    };

    const ref = await target.create({ correlationId: 'jira-unit:1', fields });

    const issue = stored(ref.number);
    expect(issue.fields.summary).toBe(`Title with newline ${'y'.repeat(300)}`.slice(0, 255));
    expect(adfToText(issue.fields.description)).toBe(description);
    expect(issue.fields.priority).toEqual({ name: 'High' });
    expect(issue.labels).toEqual(['incident-bridge', 'db', 'urgent', correlationLabel('jira-unit:1')]);
    expect(issue.comments.map((comment) => adfToText(comment.body))).toEqual(['first note']);
  });

  it('when the correlation id is hashed into a label, then it is ib- and 24 hex characters without a colon', () => {
    expect(correlationLabel('trigger:event-id')).toMatch(/^ib-[0-9a-f]{24}$/);
  });

  it('when an update adds labels, then the correlation label survives', async () => {
    const ref = await target.create({ correlationId: 'jira-unit:labels', fields: { summary: 'Labels' } });

    await target.update(ref, { labels: 'later' });

    expect(stored(ref.number).labels).toEqual(['incident-bridge', correlationLabel('jira-unit:labels'), 'later']);
    await expect(target.findByCorrelation('jira-unit:labels')).resolves.toHaveLength(1);
  });
});

describe('Jira target errors', () => {
  it("when Jira refuses a field, then a TicketValidationError carries Jira's field message", async () => {
    const attempt = target.create({
      correlationId: 'jira-unit:bad',
      fields: { summary: 'x', customfield_999: 'v', priority: 'Urgent!!' },
    });

    await expect(attempt).rejects.toThrow(TicketValidationError);
    await expect(attempt).rejects.toThrow(
      /Jira answered 400: customfield_999: Field 'customfield_999' cannot be set.*; priority: Specify a valid/,
    );
  });

  it('when the API token is wrong, then a TicketAuthError quotes the plain-text answer', async () => {
    const attempt = otherTarget({ apiToken: new Secret('wrong') }).findByCorrelation('x');

    await expect(attempt).rejects.toThrow(TicketAuthError);
    await expect(attempt).rejects.toThrow('Jira answered 401: Client must be authenticated to access this resource.');
  });

  it('when the issue does not exist, then update gives a TicketNotFoundError', async () => {
    await expect(target.update({ id: '99999', number: 'OPS-999' }, { summary: 'x' })).rejects.toThrow(
      TicketNotFoundError,
    );
  });

  it('when Jira answers 429 with Retry-After, then the wait is carried', async () => {
    simulator.setFaults({ storm429: { count: 1, retryAfterSec: 7 } });

    const attempt = target.findByCorrelation('jira-unit:429');

    await expect(attempt).rejects.toThrow(TicketRateLimitedError);
    await expect(attempt).rejects.toMatchObject({ status: 429, retryAfterMs: 7000 });
  });

  it('when Jira answers 502, then the error is transient', async () => {
    simulator.setFaults({ errorRate: 1, errorStatuses: [502] });

    await expect(target.create({ correlationId: 'jira-unit:502', fields: { summary: 'x' } })).rejects.toMatchObject({
      kind: 'unavailable',
      status: 502,
    });
  });

  it('when the connection is reset, then the error is transient', async () => {
    simulator.setFaults({ outage: { forMs: 60_000, mode: 'reset' } });

    await expect(target.findByCorrelation('jira-unit:reset')).rejects.toThrow(TicketUnavailableError);
  });

  it('when Jira is slower than the request timeout, then the call fails as unavailable', async () => {
    simulator.setFaults({ latencyMs: 1500 });

    await expect(otherTarget({ requestTimeoutMs: 1000 }).findByCorrelation('jira-unit:slow')).rejects.toThrow(
      /Jira request timed out/,
    );
  });

  it('when the done transition does not exist, then resolve fails with a TicketConflictError', async () => {
    const ref = await target.create({ correlationId: 'jira-unit:no-transition', fields: { summary: 'x' } });

    await expect(otherTarget({ doneTransition: 'Closed' }).resolve(ref, {})).rejects.toThrow(TicketConflictError);
    await expect(otherTarget({ doneTransition: 'Closed' }).resolve(ref, {})).rejects.toThrow(
      /no transition "Closed" for OPS-\d+ in status "To Do"/,
    );
  });
});

describe('Jira simulator search', () => {
  const search = (jql: string): Promise<Response> => {
    const auth = Buffer.from(`${DEFAULT_JIRA_USER.email}:${DEFAULT_JIRA_USER.apiToken}`).toString('base64');
    return fetch(`${simulator.url}/rest/api/3/search/jql?fields=summary&jql=${encodeURIComponent(jql)}`, {
      headers: { authorization: `Basic ${auth}` },
    });
  };

  it('when JQL asks for labels in a list, newest first, then matching issues come in that order', async () => {
    const a = await target.create({ correlationId: 'jira-unit:in-a', fields: { summary: 'a' } });
    const b = await target.create({ correlationId: 'jira-unit:in-b', fields: { summary: 'b' } });
    const labels = [correlationLabel('jira-unit:in-a'), correlationLabel('jira-unit:in-b'), 'unused'];

    const response = await search(
      `labels in (${labels.map((label) => `"${label}"`).join(', ')}) ORDER BY created DESC`,
    );

    expect(response.status).toBe(200);
    const body = (await response.json()) as { issues: { key: string; fields: object }[] };
    expect(body.issues).toEqual([
      { id: b.id, key: b.number, self: expect.any(String), fields: { summary: 'b' } },
      { id: a.id, key: a.number, self: expect.any(String), fields: { summary: 'a' } },
    ]);
  });

  it("when the simulator gets JQL it does not support, then it answers 400 in Jira's shape", async () => {
    const response = await search('project = OPS');

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      errorMessages: [expect.stringMatching(/^Error in the JQL Query/)],
      errors: {},
    });
  });
});

describe('Jira simulator comments', () => {
  const post = (path: string, body: unknown): Promise<Response> => {
    const auth = Buffer.from(`${DEFAULT_JIRA_USER.email}:${DEFAULT_JIRA_USER.apiToken}`).toString('base64');
    return fetch(`${simulator.url}/rest/api/3${path}`, {
      method: 'POST',
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  };
  const fields = { project: { key: 'OPS' }, issuetype: { name: 'Task' }, summary: 'sim', labels: ['sim-comments'] };

  it('when a create carries update.comment, then the issue is stored with that comment', async () => {
    const response = await post('/issue', { fields, update: { comment: [{ add: { body: textToAdf('on create') } }] } });

    expect(response.status).toBe(201);
    const { key } = (await response.json()) as { key: string };
    expect(stored(key).comments.map((comment) => adfToText(comment.body))).toEqual(['on create']);
  });

  it("when update.comment is not an Atlassian Document, then the create is refused in Jira's shape", async () => {
    const before = simulator.issues().length;

    const response = await post('/issue', { fields, update: { comment: [{ add: { body: 'plain' } }] } });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errorMessages: [], errors: { comment: expect.any(String) } });
    expect(simulator.issues()).toHaveLength(before);
  });

  it('when a comment-add fault is set, then it fails the separate comment add, not a create carrying its comment', async () => {
    simulator.setFaults({ commentAdd: { count: 1, status: 429, retryAfterSec: 3 } });
    const body = { fields, update: { comment: [{ add: { body: textToAdf('kept') } }] } };
    const { key } = (await (await post('/issue', body)).json()) as { key: string };

    const refused = await post(`/issue/${key}/comment`, { body: textToAdf('refused') });
    const accepted = await post(`/issue/${key}/comment`, { body: textToAdf('accepted') });

    expect([refused.status, refused.headers.get('retry-after'), accepted.status]).toEqual([429, '3', 201]);
    expect(stored(key).comments.map((comment) => adfToText(comment.body))).toEqual(['kept', 'accepted']);
  });
});
