import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { correlationIdFor } from '../../src/contract';
import { deliverLikeHasura, hasuraEventBody } from '../helpers/hasura';
import { readmeCommands } from '../helpers/readme';
import { startSmtpSink } from '../helpers/smtp';
import { eventually, startStack, TEST_SECRET, type Stack } from '../helpers/stack';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';

const run = promisify(execFile);

/** The README's runbook, command for command: each test picks the line it needs by what it does. */
const RUNBOOK = readmeCommands('### With the `temporal` CLI');
const command = (starts: string, contains = '') => {
  const line = RUNBOOK.find((c) => c.startsWith(starts) && c.includes(contains));
  if (!line) throw new Error(`README runbook has no command starting "${starts}" containing "${contains}"`);
  return line;
};

async function cli(line: string, values: Record<string, string>): Promise<string> {
  let text = line.replace(/^temporal /, `'${process.env.TEMPORAL_CLI_PATH}' `);
  for (const [key, value] of Object.entries(values)) text = text.replaceAll(`<${key}>`, value);
  const { stdout } = await run('bash', ['-c', text], {
    env: { ...process.env, TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS },
  });
  return stdout;
}

/** A command the CLI must refuse: resolves with what it printed (stdout and stderr) and its exit code. */
async function refused(line: string, values: Record<string, string>): Promise<{ output: string; code: number }> {
  return cli(line, values).then(
    (stdout) => {
      throw new Error(`the CLI accepted: ${stdout}`);
    },
    (error: { stdout: string; stderr: string; code: number }) => ({
      output: `${error.stdout}${error.stderr}`,
      code: error.code,
    }),
  );
}

let stack: Stack;
let temporal: TestTemporal;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
beforeAll(async () => {
  smtp = await startSmtpSink();
  stack = await startStack({
    simulator: { mandatoryFields: ['assignment_group'] },
    env: {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_SECURE: 'false',
      NOTIFY_EMAIL_FROM: 'bridge@test.local',
      NOTIFY_EMAIL_TO: 'oncall@test.local',
    },
  });
  temporal = await connectTestTemporal();
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await temporal?.close();
  await smtp?.close();
});

async function deliverAndPark(trigger: string): Promise<string> {
  const body = hasuraEventBody({ trigger });
  const delivery = await deliverLikeHasura(body, { url: stack.webhookUrl, secret: TEST_SECRET });
  const { workflowId } = delivery.attempts.at(-1)!.body as { workflowId: string };
  await eventually(
    async () =>
      ((await temporal.client.workflow.getHandle(workflowId).query('status')) as { state: string }).state ===
        'waiting-for-operator' || undefined,
    { what: `${workflowId} to park` },
  );
  return workflowId;
}

test('when ServiceNow refuses an event, then one email arrives, it parks, and a retry with the corrected field creates exactly one incident', async () => {
  const workflowId = await deliverAndPark('runbook_fix');
  expect(await cli(command('temporal workflow list', 'waiting-for-operator'), {})).toContain(workflowId);
  const status = await cli(command('temporal workflow query', '--name status'), { 'workflow-id': workflowId });
  expect(status).toContain('waiting-for-operator');
  expect(status).toContain('Data Policy Exception');

  const mail = await eventually(() => smtp.mails.find((m) => m.raw.includes(workflowId)), {
    what: 'the failure email',
  });
  expect(mail.to).toEqual(['oncall@test.local']);
  expect(mail.raw).toContain('Data Policy Exception');
  expect(smtp.mails.filter((m) => m.raw.includes(workflowId))).toHaveLength(1);

  // The README's retry with a field name ServiceNow cannot have: rejected with the reason, still parked.
  const retry = command('temporal workflow update execute', '--name retry');
  const rejected = await refused(retry.replace('"assignment_group"', '"bad key!"'), { 'workflow-id': workflowId });
  expect(rejected.code).not.toBe(0);
  expect(rejected.output).toContain('bad overrides: override key "bad key!" is not a field name');
  expect(await cli(command('temporal workflow query', '--name status'), { 'workflow-id': workflowId })).toContain(
    'waiting-for-operator',
  );

  const accepted = await cli(retry, { 'workflow-id': workflowId });
  expect(accepted).toContain('retrying with overrides assignment_group');
  const outcome = (await temporal.client.workflow.getHandle(workflowId).result()) as {
    status: string;
    ticket: { number: string };
  };
  expect(outcome.status).toBe('created');
  const eventId = workflowId.replace('hasura-runbook_fix-', '');
  const incidents = stack.simulator
    .records('incident')
    .filter((r) => r.correlation_id === correlationIdFor('runbook_fix', eventId));
  expect(incidents).toHaveLength(1);
  expect(incidents[0]).toMatchObject({
    number: outcome.ticket.number,
    assignment_group: '287ebd7da9fe198100f92cc8d1d2154e',
  });

  expect(await cli(command('temporal workflow show'), { 'workflow-id': workflowId })).toContain(
    'WorkflowExecutionCompleted',
  );
  await cli(command('temporal workflow reset'), { 'workflow-id': workflowId });
  const rerun = (await temporal.client.workflow.getHandle(workflowId).result()) as {
    status: string;
    reusedExisting: boolean;
  };
  expect(rerun).toMatchObject({ status: 'created', reusedExisting: true });
  expect(stack.simulator.countByCorrelation(correlationIdFor('runbook_fix', eventId))).toBe(1);
});

test('when an operator abandons a parked event, then the CLI confirms it and it ends as abandoned, not failed', async () => {
  const workflowId = await deliverAndPark('runbook_abandon');
  const abandon = command('temporal workflow update execute', '--name abandon');
  expect(await cli(abandon, { 'workflow-id': workflowId })).toContain('abandoned: test row, no ticket wanted');
  const handle = temporal.client.workflow.getHandle(workflowId);
  expect(await handle.result()).toMatchObject({ status: 'abandoned', reason: 'test row, no ticket wanted' });
  expect((await handle.describe()).status.name).toBe('COMPLETED');
});

test('when an operator retries an event that is not parked, then the CLI says why and nothing is kept for later', async () => {
  // ServiceNow takes 2.5 s to refuse its first create: meanwhile the event is "creating", not parked.
  stack.simulator.setFaults({ latencyMs: 2_500, scope: { correlationIdPrefix: 'runbook_early:' } });
  const body = hasuraEventBody({ trigger: 'runbook_early' });
  const delivery = await deliverLikeHasura(body, { url: stack.webhookUrl, secret: TEST_SECRET });
  const { workflowId } = delivery.attempts.at(-1)!.body as { workflowId: string };
  const handle = temporal.client.workflow.getHandle(workflowId);
  await eventually(async () => ((await handle.query('status')) as { state: string }).state === 'creating' || undefined);
  const rejected = await refused(command('temporal workflow update execute', '--name retry'), {
    'workflow-id': workflowId,
  });
  expect(rejected.output).toContain('not parked: the workflow is creating');
  await eventually(
    async () => ((await handle.query('status')) as { state: string }).state === 'waiting-for-operator' || undefined,
  );
  await cli(command('temporal workflow update execute', '--name abandon'), { 'workflow-id': workflowId });
  expect(await handle.result()).toMatchObject({ status: 'abandoned' });
  stack.simulator.setFaults({});
  const eventId = workflowId.replace('hasura-runbook_early-', '');
  expect(stack.simulator.countByCorrelation(correlationIdFor('runbook_early', eventId))).toBe(0);
});

test('when ServiceNow is fixed, then one batch signal by query releases every parked event of the trigger', async () => {
  const ids = [
    await deliverAndPark('runbook_batch'),
    await deliverAndPark('runbook_batch'),
    await deliverAndPark('runbook_batch'),
  ];
  // The fix happens in ServiceNow (an admin relaxes the data policy); the batch retry carries no overrides.
  stack.simulator.setMandatoryFields([]);
  await cli(command('temporal workflow signal', '--query'), { trigger: 'runbook_batch' });
  const outcomes = await Promise.all(ids.map((id) => temporal.client.workflow.getHandle(id).result()));
  expect(outcomes.every((o) => (o as { status: string }).status === 'created')).toBe(true);
  expect(await cli(command('temporal workflow list', 'waiting-for-operator'), {})).not.toContain('runbook_batch');
  stack.simulator.setMandatoryFields(['assignment_group']);
});
