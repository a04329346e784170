import { createHash, createHmac } from 'node:crypto';
import { CORRELATION_ID_MAX_LENGTH, correlationIdFor, DEFAULT_POLICY, resolvePolicy } from '../../src/contract';
import { legacyRowCorrelationIdFor, ROW_WORKFLOW_TYPE, rowCorrelationIdFor } from '../../src/contract';
import { rowTicketWorkflow } from '../../src/workflows';

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
const mac = (text: string) => createHmac('sha256', 'k'.repeat(32)).update(text).digest('base64url');

test('when a policy override is resolved over a base, then each given field wins and the rest is the base', () => {
  const worker = resolvePolicy({ parkTimeoutMs: 60_000, ticketTaskQueue: 'ticketing' });
  const resolved = resolvePolicy({ attemptTimeoutMs: 4_000 }, worker);
  expect(resolved).toEqual({ ...worker, attemptTimeoutMs: 4_000 });
  expect(worker).toEqual({ ...DEFAULT_POLICY, parkTimeoutMs: 60_000, ticketTaskQueue: 'ticketing' });
  expect(resolvePolicy()).toEqual(DEFAULT_POLICY);
});

test('when keys are built from long names, then every one fits the one correlation length rule', () => {
  const long = 't'.repeat(300);
  const eventKey = correlationIdFor(long, '4f9c2a7e-8b1d-4c3e-9f00-123456789abc');
  expect(eventKey.length).toBe(CORRELATION_ID_MAX_LENGTH);
  expect(eventKey.endsWith(':4f9c2a7e-8b1d-4c3e-9f00-123456789abc')).toBe(true);
  expect(rowCorrelationIdFor('tr', 'public.t', '7', mac)).toMatch(/^tr:[A-Za-z0-9_-]{22}:public\.t:7$/);
  const hashed = rowCorrelationIdFor(long, 'public.t', long, mac);
  expect(hashed.length).toBeLessThanOrEqual(CORRELATION_ID_MAX_LENGTH);
  expect(hashed).not.toBe(rowCorrelationIdFor(long, 'public.t', `${long}x`, mac));
  expect(legacyRowCorrelationIdFor(long, 'public.t', long, sha256Hex).length).toBeLessThanOrEqual(
    CORRELATION_ID_MAX_LENGTH,
  );
});

test('when activities start the row workflow by its contract name, then the workflow export has that name', () => {
  expect(rowTicketWorkflow.name).toBe(ROW_WORKFLOW_TYPE);
});
