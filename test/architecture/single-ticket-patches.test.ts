import { SINGLE_TICKET_BIRTH_PATCHES } from '../../src/workflows/versions';
import { CREATE_PATH_PATCHES } from '../../src/workflows/ticket-outcome';
import { FEWER_ACTIONS_PATCH } from '../../src/workflows/status';
import { NOTIFY_CANNOT_FAIL_PATCH } from '../../src/workflows/notify';
import { IGNORE_UNPARKED_SIGNALS_PATCH } from '../../src/workflows/operator';
import { PARK_LOCAL_ACTIVITY_PATCH, PARK_WITHOUT_WORKER_POLICY_PATCH } from '../../src/workflows/recovery';
import { WORKER_POLICY_PATCH } from '../../src/workflows/run-policy';

/**
 * singleTicketWorkflow runs in production since issue 16 (commit e34a29c) with every patch asked through hasChange
 * at that commit taken without a marker. That set is history now: a patch added to it later would take its new
 * branch, marker-less, while replaying histories recorded before it. A new patch id goes through patched().
 */
describe('singleTicketWorkflow patches taken without a marker', () => {
  test('when the list is read, then it names exactly the patches hasChange was asked for at e34a29c (never add to it)', () => {
    const named = [
      CREATE_PATH_PATCHES.lateCheck,
      CREATE_PATH_PATCHES.keptTicket,
      CREATE_PATH_PATCHES.resetWait,
      NOTIFY_CANNOT_FAIL_PATCH,
      IGNORE_UNPARKED_SIGNALS_PATCH,
      PARK_LOCAL_ACTIVITY_PATCH,
      PARK_WITHOUT_WORKER_POLICY_PATCH,
      WORKER_POLICY_PATCH,
      FEWER_ACTIONS_PATCH,
    ];
    expect([...SINGLE_TICKET_BIRTH_PATCHES].sort()).toEqual(named.sort());
  });
});
