import type { BridgeConfig } from '../config/bridge-config';
import { triggerConfig } from '../config/bridge-config';
import type { TicketSummary } from '../contract';
import { TicketValidationError } from '../ticketing/errors';
import type { TicketRef, TicketTarget } from '../ticketing/ticket-target';

/** Picks a configured target by name; an unknown name is a config problem, so permanent. */
export function targetNamed(targets: Record<string, TicketTarget>, name: string): TicketTarget {
  const target = targets[name];
  if (!target) throw new TicketValidationError(`no ticketing target named ${JSON.stringify(name)} is configured`);
  return target;
}

export function targetForTrigger(config: Pick<BridgeConfig, 'triggers' | 'defaults'>, trigger: string): string {
  return triggerConfig(config as BridgeConfig, trigger).target;
}

export const summarize = (ref: TicketRef): TicketSummary => ({ id: ref.id, number: ref.number, url: ref.url });
