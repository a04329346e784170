import { randomUUID } from 'node:crypto';
import { rowTicketKey } from './correlation';
import { deliverLikeHasura, hasuraEventBody } from './hasura';
import { HASURA_SECRET, type InboundStack } from './inbound-stack';
import { eventually } from './stack';

/** The stack's row of that id, as the database holds it. */
export const rowOf = async (stack: InboundStack, id: number): Promise<Record<string, unknown>> =>
  (await stack.db.query('SELECT * FROM public.incident_request WHERE id = $1', [id])).rows[0];

/**
 * A row inserted, its INSERT delivered as Hasura does, its ticket made and written back into the row's
 * `ticket_sys_id` (the stack's default write-back): a row bound to its ticket, as inbound writes need it.
 */
export async function ticketedRow(stack: InboundStack, trigger: string, id: number) {
  await stack.db.query("INSERT INTO public.incident_request (id, title, status) VALUES ($1, 'r', 'open')", [id]);
  const body = hasuraEventBody({ trigger, op: 'INSERT', id: randomUUID(), old: null, new: await rowOf(stack, id) });
  await deliverLikeHasura(body, { url: `${stack.apiUrl}/hasura/events`, secret: HASURA_SECRET });
  const correlationId = rowTicketKey(trigger, 'public.incident_request', id);
  const ticket = await eventually(() => stack.sim.records().find((r) => r.correlation_id === correlationId), {
    what: `the ticket of row ${id}`,
  });
  await eventually(async () => ((await rowOf(stack, id)).ticket_sys_id === ticket.sys_id ? true : undefined), {
    what: `row ${id}'s write-back`,
  });
  return ticket;
}

/**
 * An incident someone else made (through the Table API, as the integration user could) and then, as `mallory`,
 * pointed at `correlationId` with `fields`: the bridge never created it (review 14 R4).
 */
export async function plantedIncident(stack: InboundStack, correlationId: string, fields: Record<string, string> = {}) {
  const answer = await fetch(`${stack.sim.url}/api/now/table/incident`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Basic ${Buffer.from('bridge:bridge-password').toString('base64')}`,
    },
    body: JSON.stringify({ short_description: 'an incident of someone else', correlation_id: 'unrelated' }),
  });
  const { sys_id } = ((await answer.json()) as { result: { sys_id: string } }).result;
  return stack.sim.agentUpdate(sys_id, { user: 'mallory', fields: { correlation_id: correlationId, ...fields } });
}
