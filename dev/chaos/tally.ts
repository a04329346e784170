import { correlationIdFor, workflowIdFor } from '../../src/contract';
import type { SimRecord } from '../simulator/servicenow/server';
import type { ChaosEvent } from './deliveries';

/** ServiceNow incident state 8: how the bridge's late-duplicate check retires a duplicate. */
const STATE_CANCELED = '8';

export interface IncidentTally {
  /** Incident records the simulator holds, cancelled ones included. */
  incidents: number;
  /** Accepted events with exactly one active incident. */
  exactlyOnce: number;
  /** Active incidents beyond the first for an event: the promise broken the other way. */
  activeDuplicates: number;
  /** Duplicates created by a retried create and then cancelled by the bridge's duplicate check. */
  cancelledDuplicates: number;
  /** Accepted events with no active incident and no parked workflow. */
  lost: string[];
  /** Accepted events whose workflow waits for an operator (retries ran out). */
  parked: string[];
  /** Events no delivery got a 2xx for (Hasura would mark them error); not the bridge's to keep. */
  neverAccepted: string[];
  /** Incidents for events that were never accepted (the start committed, the 2xx got lost). */
  incidentsWithoutAcceptance: number;
}

/** Checks the promise against the simulator's own records: one active incident per accepted event. */
export function tallyIncidents(
  events: ChaosEvent[],
  accepted: Set<string>,
  records: SimRecord[],
  parkedWorkflowIds: string[],
): IncidentTally {
  const active = new Map<string, number>();
  let cancelledDuplicates = 0;
  for (const record of records) {
    if (record.state === STATE_CANCELED) cancelledDuplicates += 1;
    else active.set(record.correlation_id, (active.get(record.correlation_id) ?? 0) + 1);
  }
  const parkedIds = new Set(parkedWorkflowIds);
  const tally: IncidentTally = {
    incidents: records.length,
    exactlyOnce: 0,
    activeDuplicates: 0,
    cancelledDuplicates,
    lost: [],
    parked: [],
    neverAccepted: [],
    incidentsWithoutAcceptance: 0,
  };
  for (const event of events) {
    const count = active.get(correlationIdFor(event.trigger, event.id)) ?? 0;
    if (!accepted.has(event.id)) {
      tally.neverAccepted.push(event.id);
      tally.incidentsWithoutAcceptance += count;
    } else if (count === 1) tally.exactlyOnce += 1;
    else if (count > 1) tally.activeDuplicates += count - 1;
    else if (parkedIds.has(workflowIdFor(event.trigger, event.id))) tally.parked.push(event.id);
    else tally.lost.push(event.id);
  }
  return tally;
}
