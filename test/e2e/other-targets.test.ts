import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { correlationIdFor } from '../../src/contract';
import { correlationLabel } from '../../src/ticketing/jira';
import { DEFAULT_JIRA_USER, startJiraSimulator, type JiraSimulator } from '../../dev/simulator/jira/server';
import { DEFAULT_REST_TOKEN, startRestTicketServer, type RestTicketServer } from '../../dev/simulator/rest/server';
import { deliverLikeHasura, hasuraEventBody } from '../helpers/hasura';
import { eventually, startStack, TEST_SECRET, type Stack } from '../helpers/stack';
import { CORRELATION_YAML, rowTicketKey } from '../helpers/correlation';

/** Jira Cloud and a generic REST ticket API, each end to end: webhook → dev server → worker → target. */
function configFor(jiraUrl: string, restUrl: string): string {
  return `
targets:
  jira:
    type: jira
    base_url: ${jiraUrl}
    project: OPS
    issue_type: Task
    email: ${DEFAULT_JIRA_USER.email}
    api_token: { env: JIRA_API_TOKEN }
    done_transition: Done
  tickets:
    type: rest
    headers: { authorization: { env: TICKETS_AUTH } }
    create: { method: POST, url: "${restUrl}/api/tickets", success_statuses: [201], id_path: ticket.id, number_path: ticket.number, created_path: ticket.created_at, closed_path: ticket.closed,
      body: '{"title": {{ fields.title | json }}, "description": {{ fields.description | json }}, "correlation_id": {{ correlation_id | json }}}' }
    find: { method: GET, url: "${restUrl}/api/tickets?correlation_id={{ correlation_id | url_encode }}", results_path: items, id_path: id, number_path: number, created_path: created_at, closed_path: closed }
    update: { method: PATCH, url: "${restUrl}/api/tickets/{{ ticket.id | url_encode }}", id_path: ticket.id, body: '{"title": {{ fields.title | json }}}' }
${CORRELATION_YAML}defaults:
  target: jira
  fields:
    summary: "{{ row.title }}"
    description: "{{ row.description | default: '' }}"
  resolve_fields: { comment: "Row deleted" }
triggers:
  finding_to_jira:
    lifecycle: { enabled: true, reorder_window: 200ms }
  escalation_to_rest:
    target: tickets
    fields:
      title: "[{{ row.priority }}] {{ row.title }}"
      description: "{{ row.description }}"
`;
}

let stack: Stack;
let jira: JiraSimulator;
let rest: RestTicketServer;
const dir = mkdtempSync(path.join(tmpdir(), 'ib-targets-'));
beforeAll(async () => {
  jira = await startJiraSimulator({ port: 0 });
  rest = await startRestTicketServer({ port: 0 });
  const file = path.join(dir, 'bridge.yaml');
  writeFileSync(file, configFor(jira.url, rest.url));
  stack = await startStack({
    env: {
      BRIDGE_CONFIG: file,
      JIRA_API_TOKEN: DEFAULT_JIRA_USER.apiToken,
      TICKETS_AUTH: `Bearer ${DEFAULT_REST_TOKEN}`,
    },
  });
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await jira?.close();
  await rest?.close();
  rmSync(dir, { recursive: true, force: true });
});

const deliver = (body: Record<string, unknown>) =>
  deliverLikeHasura(body, { url: stack.webhookUrl, secret: TEST_SECRET });

test('when a Jira lifecycle row is inserted and deleted, then one issue is created and transitioned to Done', async () => {
  const row = { id: 501, title: 'Open S3 bucket', description: 'bucket acme-logs is public' };
  await deliver(hasuraEventBody({ trigger: 'finding_to_jira', op: 'INSERT', new: row }));
  const label = correlationLabel(rowTicketKey('finding_to_jira', 'public.incident_request', 501));
  const issue = await eventually(() => jira.issues().find((i) => i.labels.includes(label)), { what: 'the Jira issue' });
  expect(issue.fields.summary).toBe('Open S3 bucket');
  await deliver({
    ...hasuraEventBody({ trigger: 'finding_to_jira', op: 'DELETE', old: row }),
    created_at: '2099-01-01T00:00:00.000000',
  });
  await eventually(() => (jira.issues().find((i) => i.key === issue.key)?.status === 'Done' ? true : undefined), {
    what: 'the issue to reach Done',
  });
  expect(jira.countByLabel(label)).toBe(1);
});

test('when an event goes to the generic REST target, then exactly one ticket exists, even when delivered twice', async () => {
  const body = hasuraEventBody({
    trigger: 'escalation_to_rest',
    new: { id: 7, title: 'Customer cannot log in', description: 'since the upgrade', priority: 'high' },
  });
  await deliver(body);
  await deliver(body);
  const correlationId = correlationIdFor('escalation_to_rest', String(body.id));
  const ticket = await eventually(() => rest.tickets().find((t) => t.correlation_id === correlationId), {
    what: 'the REST ticket',
  });
  expect(ticket).toMatchObject({
    title: '[high] Customer cannot log in',
    description: 'since the upgrade',
    status: 'open',
  });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(rest.countByCorrelation(correlationId)).toBe(1);
});
