import { ServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { temporalCallMayPass } from '../../src/activities/failures';

/** How the SDK 1.24 client throws a gRPC answer: a ServiceError whose cause is the gRPC error. */
function answered(code: number, details: string): ServiceError {
  const grpc = Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
  return new ServiceError('Failed to signal Workflow', { cause: grpc });
}

test.each([
  ['RESOURCE_EXHAUSTED (a busy workflow)', answered(8, 'Workflow is busy.')],
  ['DEADLINE_EXCEEDED (the client retried past the deadline)', answered(4, 'Deadline exceeded after 0.000s')],
  ['UNAVAILABLE', answered(14, 'connection reset')],
  ['a connection refused before any status', new Error('connect ECONNREFUSED 127.0.0.1:7233')],
])('when a Temporal call fails with %s, then it may pass when made again', (_what, error) => {
  expect(temporalCallMayPass(error)).toBe(true);
});

test.each([
  ['PERMISSION_DENIED (an operator must fix it)', answered(7, 'Request unauthorized.')],
  ['INVALID_ARGUMENT (a server limit)', answered(3, 'blob size exceeds limit')],
  ['a missing workflow', new WorkflowNotFoundError('not found', 'row-1', undefined)],
  ['a bug (no gRPC status)', new TypeError('cannot read properties of undefined')],
])('when a Temporal call fails with %s, then it never passes by retrying', (_what, error) => {
  expect(temporalCallMayPass(error)).toBe(false);
});
