import { z } from 'zod';

import type { BusinessRule, BusinessRuleConfig, BusinessRuleStats } from './business-rule';
import { userSysId } from './directory';
import { updateRecord, type WriteDeps, type WriteOutcome } from './record-writes';
import type { SimRecord } from './store';

/**
 * An agent working the ticket in the instance's UI (resolve, reassign, comment): an ordinary update
 * made as that user, so sys_updated_by names them, followed by the after-update business rules unless
 * the change is made like a script's `setWorkflow(false)` update.
 */
export const agentUpdateSchema = z
  .object({
    /** The agent's user name; default `agent.smith`. */
    user: z.string().min(1).default('agent.smith'),
    fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    /** false: as `gr.setWorkflow(false); gr.update()`: no business rule runs, so no outbound call. */
    setWorkflow: z.boolean().default(true),
    /** false: as `gr.autoSysFields(false)`: the sys fields (sys_mod_count, sys_updated_on/by) do not move. */
    autoSysFields: z.boolean().default(true),
  })
  .strict();

export type AgentUpdate = z.input<typeof agentUpdateSchema>;

export function agentUpdate(
  deps: WriteDeps & { businessRule: BusinessRule },
  target: { table: string; sysId: string },
  input: AgentUpdate,
): WriteOutcome {
  const { user, fields, setWorkflow, autoSysFields } = agentUpdateSchema.parse(input);
  const outcome = updateRecord(deps, {
    table: target.table,
    sysId: target.sysId,
    body: fields,
    user: { username: user, sysId: userSysId(user) },
    inputDisplayValue: false,
    autoSysFields,
  });
  if (outcome.ok) deps.businessRule.afterUpdate(target.table, outcome.entry.fields, { setWorkflow });
  return outcome;
}

/** What tests drive of the instance's outbound side: the business rule and agents' changes. */
export interface OutboundControls {
  /** Installs (or with undefined removes) the after-update business rule's outbound call. */
  configureBusinessRule(config: BusinessRuleConfig | undefined): void;
  businessRuleStats(): BusinessRuleStats;
  /** Resolves once every outbound call sent so far has been answered or has failed. */
  outboundSettled(): Promise<void>;
  /** An agent's change; returns the record as stored, throws on a refused one (e.g. a 403 data policy). */
  agentUpdate(sysId: string, input: AgentUpdate, table?: string): SimRecord;
}

export function outboundControls(deps: WriteDeps & { businessRule: BusinessRule }): OutboundControls {
  return {
    configureBusinessRule: (config) => deps.businessRule.configure(config),
    businessRuleStats: () => deps.businessRule.stats(),
    outboundSettled: () => deps.businessRule.settled(),
    agentUpdate(sysId, input, table = 'incident') {
      const outcome = agentUpdate(deps, { table, sysId }, input);
      if (!outcome.ok) throw new Error(`agent update refused (${outcome.status}): ${JSON.stringify(outcome.body)}`);
      return outcome.entry.fields;
    },
  };
}
