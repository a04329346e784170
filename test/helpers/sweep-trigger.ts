import type { ServiceNowSimulator } from '../../dev/simulator/servicenow/server';
import type { InboundTrigger } from '../../src/activities/inbound-triggers';
import type { createServiceNowTarget } from '../../src/ticketing/servicenow';
import { rowTicketKey } from './correlation';

/** An inbound trigger as the reconciler sees it: the sweep reads by its name's prefix, no template runs. */
export const sweptTrigger = (name: string): InboundTrigger => ({
  name,
  target: 'servicenow',
  table: 'incident',
  rowKey: ['id'],
  columns: {},
  integrationUser: 'bridge',
  ticketColumn: 'ticket_sys_id',
});

/** A ticket of the trigger's, changed by an agent at `at` (one second each: the sweep's order is theirs). */
export function ticketChanger(
  sim: () => ServiceNowSimulator,
  target: () => ReturnType<typeof createServiceNowTarget>,
  setClock: (at: number) => void,
) {
  return async (trigger: InboundTrigger, i: number, at: number) => {
    setClock(at);
    const ref = await target().create({
      correlationId: rowTicketKey(trigger.name, 'public.t', i),
      fields: { short_description: 'x' },
    });
    return sim().agentUpdate(ref.id, { fields: { state: '2' } });
  };
}
