import { patched, workflowInfo } from '@temporalio/workflow';
import { hasChange, SINGLE_TICKET_BIRTH_PATCHES } from '../../src/workflows/versions';

jest.mock('@temporalio/workflow', () => ({
  ...jest.requireActual('@temporalio/workflow'),
  patched: jest.fn(() => false),
  workflowInfo: jest.fn(),
}));

const asType = (workflowType: string) =>
  jest.mocked(workflowInfo).mockReturnValue({ workflowType } as ReturnType<typeof workflowInfo>);

/** hasChange decides which patch ids singleTicketWorkflow may take without a marker (review of issue 16, F3). */
describe('hasChange', () => {
  beforeEach(() => jest.mocked(patched).mockClear());

  test('when singleTicketWorkflow asks for a patch it was born with, then it takes the new branch without a marker', () => {
    asType('singleTicketWorkflow');
    expect(SINGLE_TICKET_BIRTH_PATCHES.map((id) => hasChange(id))).toEqual(SINGLE_TICKET_BIRTH_PATCHES.map(() => true));
    expect(patched).not.toHaveBeenCalled();
  });

  test('when singleTicketWorkflow asks for a patch added after its birth, then patched() decides (a marker; false on replay of its older histories)', () => {
    asType('singleTicketWorkflow');
    expect(hasChange('some-new-id')).toBe(false);
    expect(patched).toHaveBeenCalledWith('some-new-id');
  });

  test('when another type asks for a birth patch, then patched() decides as before', () => {
    asType('hasuraEventWorkflow');
    expect(hasChange(SINGLE_TICKET_BIRTH_PATCHES[0])).toBe(false);
    expect(patched).toHaveBeenCalledWith(SINGLE_TICKET_BIRTH_PATCHES[0]);
  });
});
