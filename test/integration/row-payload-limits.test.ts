import { temporal as temporalProto } from '@temporalio/proto';
import { abandonSignal, ROW_IMAGE_BYTES_LIMIT, statusQuery, type EventOutcome } from '../../src/contract';
import { eventually } from '../helpers/stack';
import request from 'supertest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createApp } from '../../src/api/app';
import { Secret } from '../../src/common/secret';
import { createLogger } from '../../src/logging';
import { hasuraEventBody } from '../helpers/hasura';
import { freshRowIds, LIFECYCLE_TRIGGER, RowLane } from '../helpers/row-lane';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';

/*
 * Temporal refuses any payload over its blob size limit (2 MiB, the dev server's `limit.blobSize.error`): a row
 * run whose ticket call or continue-as-new input passed it would fail its workflow task forever. Large row
 * images must stay within it by design (README "Mappings, lifecycle"): what a run carries is bounded, and an
 * image too large for that bound parks its event instead.
 */

let temporal: TestTemporal;
let lane: RowLane;
beforeAll(async () => {
  temporal = await connectTestTemporal();
  lane = await new RowLane(temporal, { policy: { rowIdleMs: 1_000, attemptTimeoutMs: 10_000 } }).start();
}, 180_000);
afterAll(async () => {
  await lane?.stop();
  await temporal?.close();
});

// Unmapped: three such images (a delivery's old and new, and the ticket's last image) are over 2 MiB.
const blob = 'x'.repeat(700 * 1024);
const T = (seconds: number) => `2026-12-02T11:00:0${seconds}.100000`;
const version = (title: string) => ({ title, priority: 'low', blob });

const { WorkflowTaskFailedCause: Cause } = temporalProto.api.enums.v1;
/** How a payload over the limit fails a workflow task: refused by the worker's SDK, or by the server. */
const PAYLOAD_CAUSES = new Set([
  Cause.WORKFLOW_TASK_FAILED_CAUSE_PAYLOADS_TOO_LARGE,
  Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
  Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES,
  Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES,
]);

/**
 * A run's workflow task failures on a payload limit (others, such as a signal that arrives while the run continues
 * as new, are Temporal's ordinary retries). One event a page: a whole history of such rows is over gRPC's 4 MB.
 */
async function payloadFailures(execution: { workflowId: string; runId: string }): Promise<string[]> {
  const failures: string[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await temporal.client.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution,
      maximumPageSize: 1,
      nextPageToken,
    });
    for (const event of page.history?.events ?? []) {
      const failed = event.workflowTaskFailedEventAttributes;
      const message = failed?.failure?.message ?? '';
      if (failed && (PAYLOAD_CAUSES.has(failed.cause!) || /TMPRL1103|size limit/i.test(message)))
        failures.push(`${Cause[failed.cause!]}: ${message}`);
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return failures;
}

/** Every run of the row workflow so far, with its workflow task failures on a payload limit. */
async function runsOf(workflowId: string): Promise<{ runId: string; failures: string[] }[]> {
  const runs: { runId: string; failures: string[] }[] = [];
  for await (const { runId } of temporal.client.workflow.list({ query: `WorkflowId="${workflowId}"` }))
    runs.push({ runId, failures: await payloadFailures({ workflowId, runId }) });
  return runs;
}

test('when rows of 700 KiB change while deliveries are reordered until the run continues as new, then the ticket follows the row to its last change', async () => {
  const [id] = freshRowIds(1);
  const row = await lane.deliver({ op: 'INSERT', new: { id, ...version('v1') }, at: T(1) });
  await lane.settled(row);
  await lane.deliver({ op: 'UPDATE', old: { id, ...version('v1') }, new: { id, ...version('v2') }, at: T(2) });
  // Delivered newest first: the run holds both while it places them.
  const v4 = lane.deliver({ op: 'UPDATE', old: { id, ...version('v3') }, new: { id, ...version('v4') }, at: T(4) });
  const v3 = lane.deliver({ op: 'UPDATE', old: { id, ...version('v2') }, new: { id, ...version('v3') }, at: T(3) });
  await Promise.all([v3, v4]);
  await lane.deliver({ op: 'UPDATE', old: { id, ...version('v4') }, new: { id, ...version('v5') }, at: T(5) });

  await eventually(() => (lane.ticketsOf(id)[0]?.fields.short_description === 'v5' ? true : undefined), {
    what: 'the ticket at the row’s last change',
    timeoutMs: 60_000,
  });
  expect(lane.ticketsOf(id)).toHaveLength(1);
  // The case under test: the run did continue as new, and no run's workflow task failed on a payload. It continues
  // in the workflow task after the ticket call that wrote v5, so that task may still be on its way.
  const continued = async () => {
    const runs = await runsOf(row);
    return runs.length > 1 ? runs : undefined;
  };
  const runs = await eventually(continued, { what: 'the row run to continue as new', timeoutMs: 30_000 });
  expect(runs.flatMap((run) => run.failures)).toEqual([]);
}, 120_000);

// A mapped value no cut makes fit: an array (a json column) of numbers over the limit on its own.
const uncuttable = () => Array.from({ length: ROW_IMAGE_BYTES_LIMIT / 4 }, (_, index) => index);

test('when a row image’s mapped columns are larger than a row run can carry even with their texts cut, then its event parks naming the limit and the ticket keeps the row’s last change', async () => {
  const [id] = freshRowIds(1);
  const small = { id, title: 'small', priority: 'low' };
  const row = await lane.deliver({ op: 'INSERT', new: small, at: T(1) });
  await lane.settled(row);
  // The mapped `description` is over the limit and holds no text: neither trimming nor cutting can make it fit.
  const big = { ...small, title: 'big', description: uncuttable() };
  const event = temporal.client.workflow.getHandle(
    await lane.startForward({ op: 'UPDATE', old: small, new: big, at: T(2) }),
  );
  const status = await eventually(
    async () => {
      const current = await event.query(statusQuery);
      return current.state === 'waiting-for-operator' ? current : undefined;
    },
    { what: 'the oversized event parked', timeoutMs: 60_000 },
  );
  expect(status.lastError?.message).toContain(`${ROW_IMAGE_BYTES_LIMIT / 1024} KiB`);
  expect(status.lastError?.type).toBe('RowImageTooLargeError');
  await event.signal(abandonSignal, { reason: 'row image too large' });
  const outcome: EventOutcome = await event.result();
  expect(outcome.status).toBe('abandoned');
  expect(lane.ticketsOf(id).map((ticket) => ticket.fields.short_description)).toEqual(['small']);
}, 120_000);

test('when the held changes that may still be the newest do not fit one payload, then the run goes on naming the limit, and ends once later changes supersede them', async () => {
  const [id] = freshRowIds(1);
  const change = (from: string, to: string, seconds: number) =>
    lane.deliver({ op: 'UPDATE', old: { id, ...version(from) }, new: { id, ...version(to) }, at: T(seconds) });
  const row = await lane.deliver({ op: 'INSERT', new: { id, ...version('v1') }, at: T(1) });
  // v1→v2 and v3→v4 not delivered yet: three open heads (v1, v3, v5), each 700 KiB, are over 1.75 MiB together.
  await Promise.all([change('v2', 'v3', 3), change('v4', 'v5', 5)]);
  const handle = temporal.client.workflow.getHandle(row);
  const refused = await eventually(
    async () => {
      const status = await handle.query(statusQuery);
      return status.operatorNote?.includes('ROW_PAYLOAD_BYTES_LIMIT') ? status : undefined;
    },
    { what: 'the run to refuse a carry over the payload limit', timeoutMs: 60_000 },
  );
  expect(refused.state).toBe('waiting-for-events');
  // The newest known change reaches the ticket (its update may still be in flight when the note is set).
  const newest = () => (lane.ticketsOf(id)[0]?.fields.short_description === 'v5' ? true : undefined);
  await eventually(newest, { what: 'the ticket at v5', timeoutMs: 60_000 });
  expect((await handle.describe()).status.name).toBe('RUNNING');

  await Promise.all([change('v1', 'v2', 2), change('v3', 'v4', 4)]);
  const runs = await eventually(
    async () => ((await handle.describe()).status.name === 'COMPLETED' ? runsOf(row) : undefined),
    { what: 'the run to finish idle once the gaps are filled', timeoutMs: 60_000 },
  );
  expect(lane.ticketsOf(id).map((ticket) => ticket.fields.short_description)).toEqual(['v5']);
  expect(runs.flatMap((run) => run.failures)).toEqual([]);
}, 120_000);

/*
 * An image over ROW_IMAGE_BYTES_LIMIT because of a column no template names (test/fixtures/lifecycle.yaml maps
 * title, description, priority): the ticket needs only the mapped columns and the key, the ordering only the
 * images' digests, so such a row's changes reach its ticket and its DELETE resolves it.
 */
// Unmapped, and over the limit on its own.
const huge = (fill: string) => fill.repeat(ROW_IMAGE_BYTES_LIMIT + 1024);

const ticketState = (id: number) => lane.ticketsOf(id)[0]?.fields;

test('when a row whose unmapped column is larger than a row run can carry is deleted, then its ticket is resolved', async () => {
  const [id] = freshRowIds(1);
  const small = { id, title: 'small', priority: 'low' };
  const row = await lane.deliver({ op: 'INSERT', new: small, at: T(1) });
  await lane.settled(row);
  // The blob was written while the trigger listened to other columns: the DELETE's old image carries it.
  await lane.deliver({ op: 'DELETE', old: { ...small, blob: huge('x') }, at: T(2) });
  await eventually(() => (ticketState(id)?.state === 'resolved' ? true : undefined), {
    what: 'the ticket resolved by the DELETE',
    timeoutMs: 60_000,
  });
  expect(lane.ticketsOf(id)).toHaveLength(1);
}, 120_000);

test('when a row with an unmapped column larger than a row run can carry is inserted and updated, then its ticket follows the mapped columns', async () => {
  const [id] = freshRowIds(1);
  const v1 = { id, title: 'v1', priority: 'low', blob: huge('a') };
  const v2 = { id, title: 'v2', priority: 'high', blob: huge('b') };
  await lane.deliver({ op: 'INSERT', new: v1, at: T(1) });
  await lane.deliver({ op: 'UPDATE', old: v1, new: v2, at: T(2) });
  await eventually(() => (ticketState(id)?.short_description === 'v2' ? true : undefined), {
    what: 'the ticket at the row’s update',
    timeoutMs: 60_000,
  });
  expect(lane.ticketsOf(id)).toHaveLength(1);
  expect(ticketState(id)?.urgency).toBe('1');
}, 120_000);

test('when Hasura posts a row event whose mapped columns are larger than a row run can carry even cut, then the webhook answers 413 naming the limit and starts nothing', async () => {
  const [id] = freshRowIds(1);
  const big = { id, title: 'big', priority: 'low', description: uncuttable() };
  const body = hasuraEventBody({ trigger: LIFECYCLE_TRIGGER, op: 'INSERT', old: null, new: big });
  const webhook = {
    secrets: [new Secret('s')],
    secretHeader: 'x-webhook-secret',
    bodyLimit: '4mb',
    retryAfterSeconds: 7,
  };
  const app = createApp({ starter: lane.starter, logger: createLogger({ level: 'silent' }), webhook });
  const response = await request(app).post('/hasura/events').set('x-webhook-secret', 's').send(body);
  expect(response.status).toBe(413);
  expect(response.body).toMatchObject({ error: 'row_image_too_large', limitBytes: ROW_IMAGE_BYTES_LIMIT });
  expect(response.body.message).toContain(`${ROW_IMAGE_BYTES_LIMIT / 1024} KiB`);
  const row = `row-${LIFECYCLE_TRIGGER}-public.incident_request-${id}`;
  await expect(temporal.client.workflow.getHandle(row).describe()).rejects.toThrow(WorkflowNotFoundError);
});

/*
 * Review s7: a change whose mapped text alone was over the limit was refused (413): Hasura gave it up and the ticket
 * never followed the row, its DELETE never resolved it. A ticket field holds far less than 768 KiB: the text is cut.
 */
test('when a row’s mapped text is larger than a row run can carry, then it reaches the ticket cut, and the DELETE resolves it', async () => {
  const [id] = freshRowIds(1);
  const v1 = { id, title: 'v1', priority: 'low', description: huge('d') };
  const row = await lane.deliver({ op: 'INSERT', new: v1, at: T(1) });
  await lane.settled(row);
  expect(String(ticketState(id)?.description)).toMatch(
    /^d+… \[cut by incident-bridge: 16384 of \d+ bytes kept, sha256 [0-9a-f]{12}\]$/,
  );
  await lane.deliver({ op: 'DELETE', old: v1, at: T(2) });
  await eventually(() => (ticketState(id)?.state === 'resolved' ? true : undefined), {
    what: 'the ticket resolved by the DELETE',
    timeoutMs: 60_000,
  });
  expect(lane.ticketsOf(id)).toHaveLength(1);
}, 120_000);
