import { correlationIdFor } from '../../src/contract';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';
import { deliverLikeHasura, hasuraEventBody } from '../helpers/hasura';
import { eventually, startStack, TEST_SECRET, type Stack } from '../helpers/stack';

let stack: Stack;
let temporal: TestTemporal;
beforeAll(async () => {
  // A retry budget (≈25 s at up to 1 s apart) that outlasts the 3 s outage below.
  stack = await startStack({ env: { TICKET_RETRY_MAX_ATTEMPTS: '30' } });
  temporal = await connectTestTemporal();
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await temporal?.close();
});
afterEach(() => stack.simulator.setFaults({}));

const TRIGGER = 'create_servicenow_incident';
const deliver = (body: Record<string, unknown>) =>
  deliverLikeHasura(body, {
    url: stack.webhookUrl,
    secret: TEST_SECRET,
    numRetries: 3,
    intervalSec: 1,
    timeScale: 0.2,
  });

async function incidentsFor(body: Record<string, unknown>, expected = 1) {
  const correlationId = correlationIdFor(TRIGGER, String(body.id));
  await eventually(() => (stack.simulator.countByCorrelation(correlationId) >= expected ? true : undefined), {
    what: `incident for ${correlationId}`,
    timeoutMs: 45_000,
  });
  return stack.simulator.records('incident').filter((r) => r.correlation_id === correlationId);
}

test('when Hasura delivers an INSERT, then exactly one incident exists with the mapped fields', async () => {
  const body = hasuraEventBody({ new: { id: 101, title: 'VPN down for sales', description: 'since 9:00' } });
  const delivery = await deliver(body);
  expect(delivery).toMatchObject({ delivered: true, attempts: [{ status: 200 }] });
  const { workflowId } = delivery.attempts[0].body as { workflowId: string };
  const outcome = await temporal.client.workflow.getHandle(workflowId).result();
  const [incident, ...others] = await incidentsFor(body);
  expect(outcome).toMatchObject({ status: 'created', ticket: { number: incident.number, id: incident.sys_id } });
  expect(others).toHaveLength(0);
  expect(incident).toMatchObject({
    short_description: 'incident_request insert: VPN down for sales',
    correlation_display: 'incident-bridge',
    state: '1',
  });
  expect(incident.number).toMatch(/^INC\d{7}$/);
  expect(incident.description).toContain('since 9:00');
});

test('when Hasura delivers the same event twice, then there is still one incident', async () => {
  const body = hasuraEventBody();
  await deliver(body);
  await deliver(body);
  await incidentsFor(body);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(stack.simulator.countByCorrelation(correlationIdFor(TRIGGER, String(body.id)))).toBe(1);
});

test('when ServiceNow is down during the run, then the incident appears after the outage, exactly once', async () => {
  stack.simulator.setFaults({ outage: { forMs: 3_000 } });
  const body = hasuraEventBody();
  const outageStarted = Date.now();
  expect((await deliver(body)).delivered).toBe(true);
  const incidents = await incidentsFor(body);
  expect(Date.now() - outageStarted).toBeGreaterThanOrEqual(3_000);
  expect(incidents).toHaveLength(1);
  expect(stack.simulator.stats().byStatus['503']).toBeGreaterThan(0);
});
