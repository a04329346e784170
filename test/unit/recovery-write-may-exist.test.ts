import { ApplicationFailure } from '@temporalio/common';
import { writeMayExist } from '../../src/workflows/recovery';

/** Review s7 finding 5: which parks make an abandon look for a late ticket. */
test('when a local activity fails after a step that may have written (an operator retry after timeouts), then a write may exist', () => {
  const transformFailed = ApplicationFailure.nonRetryable('template cannot render', 'MappingError');
  expect(writeMayExist(transformFailed, true)).toBe(true);
});

test('when a local activity fails in a first step, then no write may exist', () => {
  const transformFailed = ApplicationFailure.nonRetryable('template cannot render', 'MappingError');
  expect(writeMayExist(transformFailed, false)).toBe(false);
});
