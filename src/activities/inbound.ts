import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type {
  InboundDecision,
  InboundRowWrite,
  InboundWriteResult,
  ReadChangeOptions,
  ServiceNowChange,
} from '../contract';
import type { Logger } from '../logging';
import { MappingError } from '../mapping/mapper';
import type { RowWriters } from '../source/writers';
import { createLiquid } from '../templating/liquid';
import { TicketNotFoundError } from '../ticketing/errors';
import type { ServiceNowRecords, TableRecord } from '../ticketing/servicenow';
import type { TicketTarget } from '../ticketing/ticket-target';
import { failingVisibly, type FailureReporting } from './inbound-failures';
import { NOT_A_ROW_TICKET, rowOfCorrelation, signedByTheBridge, UNSIGNED_KEY } from './inbound-key';
import { checkRow } from './inbound-row-check';
import { inboundTriggers, type InboundConfigView, type InboundTrigger } from './inbound-triggers';
import { activityLogger } from './log';
import { withFailureMapping } from './ticket';

export interface InboundDeps extends FailureReporting {
  targets: Record<string, TicketTarget>;
  config: InboundConfigView;
  /** The source's row writers by `via` (src/source/writers.ts); absent: no `source:` is configured. */
  writers?: RowWriters;
  /** Reads the row workflows, the bridge's own record of which row has which ticket (./inbound-row-check.ts). */
  client?: Client;
  logger?: Logger;
}

function recordsOf(target: TicketTarget | undefined): (TicketTarget & ServiceNowRecords) | undefined {
  return target && 'readRecord' in target ? (target as TicketTarget & ServiceNowRecords) : undefined;
}

async function readRecord(reader: ServiceNowRecords, sysId: string): Promise<TableRecord | undefined> {
  return withFailureMapping(async (signal) => {
    try {
      return await reader.readRecord(sysId, { signal });
    } catch (error) {
      // Deleted since the change (or no longer visible to the bridge's user): nothing to bring back.
      if (error instanceof TicketNotFoundError) return undefined;
      throw error;
    }
  });
}

async function render(
  engine: ReturnType<typeof createLiquid>,
  trigger: InboundTrigger,
  record: TableRecord,
): Promise<Record<string, string | null>> {
  const values: Record<string, string | null> = {};
  for (const [column, template] of Object.entries(trigger.columns)) {
    let text: string;
    try {
      text = String(await engine.render(template, { record })).trim();
    } catch (error) {
      const message = `inbound column ${column} of trigger ${trigger.name} cannot render: ${(error as Error).message}`;
      throw new MappingError(message, column, '', { cause: error });
    }
    values[column] = text === '' ? null : text;
  }
  return values;
}

/** The decision for one change, from the record as ServiceNow holds it now (README "ServiceNow back to the row"). */
async function decide(
  deps: InboundDeps,
  triggers: InboundTrigger[],
  change: ServiceNowChange,
  options: ReadChangeOptions = {},
) {
  const engine = createLiquid(deps.config.lookups);
  const candidates = triggers.filter((trigger) => trigger.table === change.table);
  const reader = candidates.map((trigger) => recordsOf(deps.targets[trigger.target])).find(Boolean);
  if (!reader) return ignore(`no inbound trigger reads ServiceNow table ${change.table}`);
  const record = await readRecord(reader, change.sysId);
  if (!record) return ignore('the record no longer exists');
  const modCount = Number(record.sys_mod_count ?? NaN);
  const correlationId = String(record.correlation_id ?? '');
  const trigger = candidates.find((t) => rowOfCorrelation(correlationId, t));
  const row = trigger && rowOfCorrelation(correlationId, trigger);
  if (!trigger || !row) return ignore(NOT_A_ROW_TICKET, modCount);
  // The key only locates the row (review 14 (2)): untagged tickets are still created after legacy_before, by row
  // runs started before it (their key survives continue-as-new); the row's ticket column decides (checkRow).
  // The bridge's own change is written too: the record may also hold an agent's change made before it, whose
  // own workflow read this version. The write is quiet (onlyChanged), so a mere echo of the row changes nothing.
  const own = isIntegrationUser(trigger, record.sys_updated_by);
  const ticket = { id: change.sysId, number: String(record.number ?? '') };
  const via = { client: deps.client, writer: writerOf(deps, trigger) };
  const checked = await checkRow(via, trigger, row, ticket, options.rowNotReady);
  if (checked.kind === 'wait') return checked;
  if (checked.kind === 'ignore') {
    const signed = signedByTheBridge(deps.config.correlation, trigger.name, row, record.sys_created_on);
    const reason = signed ? checked.reason : `${checked.reason}; ${UNSIGNED_KEY}`;
    if (deps.logger) activityLogger(deps.logger).warn({ trigger: trigger.name, ...ticket, signed }, reason);
    return ignore(reason, modCount);
  }
  const values = await render(engine, trigger, record);
  const decision: InboundDecision = {
    kind: 'write',
    write: { trigger: trigger.name, key: row.key, table: checked.table, values, onlyIf: checked.onlyIf },
    modCount,
    number: String(record.number ?? ''),
    own,
  };
  return decision;
}

/** ServiceNow user names compare case-insensitively (sys_user.user_name): `BRIDGE` is the user `bridge`. */
function isIntegrationUser(trigger: Pick<InboundTrigger, 'integrationUser'>, updatedBy: unknown): boolean {
  const user = trigger.integrationUser;
  return user !== undefined && String(updatedBy ?? '').toLowerCase() === user.toLowerCase();
}

const ignore = (reason: string, modCount?: number): InboundDecision => ({ kind: 'ignore', reason, modCount });

function writerOf(deps: InboundDeps, trigger: InboundTrigger | undefined) {
  const writer = trigger?.via && deps.writers?.[trigger.via];
  if (writer) return writer;
  const fix = "configure `source:` (and the trigger's write-back) in the worker's BRIDGE_CONFIG";
  throw ApplicationFailure.nonRetryable(`no source row writer for trigger ${trigger?.name}: ${fix}`, 'MappingError');
}

export function createInboundActivities(deps: InboundDeps) {
  const triggers = inboundTriggers(deps.config);
  return {
    readServiceNowChange: (change: ServiceNowChange, options?: ReadChangeOptions): Promise<InboundDecision> =>
      failingVisibly(
        deps,
        () => ({ trigger: 'inbound', table: `ServiceNow ${change.table} ${change.sysId}` }),
        () => decide(deps, triggers, change, options),
      ),
    writeInboundRow: (write: InboundRowWrite): Promise<InboundWriteResult> =>
      failingVisibly(
        deps,
        () => ({ trigger: write.trigger, table: `${write.table.schema}.${write.table.name}`, rowKey: keyText(write) }),
        () => writeRow(triggers, deps, write),
      ),
  };
}

const keyText = (write: InboundRowWrite) => Object.values(write.key).join('/');

/** Through the trigger's writer, only where a value differs: rewriting what the row holds is no change. */
async function writeRow(
  triggers: InboundTrigger[],
  deps: InboundDeps,
  write: InboundRowWrite,
): Promise<InboundWriteResult> {
  const startedAt = Date.now();
  const writer = writerOf(
    deps,
    triggers.find((trigger) => trigger.name === write.trigger),
  );
  const { table, key, values, onlyIf } = write;
  // A decision made by a worker from before inbound.ticket_column was required carries no condition (review 14 R2).
  if (!onlyIf) {
    const why = 'decided before inbound.ticket_column was required, so not bound to its ticket: not written';
    throw ApplicationFailure.nonRetryable(`inbound write to ${table.schema}.${table.name}: ${why}`, 'MappingError');
  }
  const timeoutMs = attemptTimeLeftMs(startedAt);
  const { rows, changed } = await writer.write({ table, key, values, onlyIf, onlyChanged: true, timeoutMs });
  return changed === undefined ? { rows } : { rows, changed };
}

/**
 * The attempt's time left, less a second for the answer: a write outliving its attempt could commit after the
 * retry's (or the next round's) re-read, leaving older values for good. Counted from the attempt's start, as
 * Temporal counts its timeout: behind a backlog an attempt waits in the queue longer than that, and a bound
 * counted from the schedule would fail every retry at once (test/unit/inbound-write-bound.test.ts).
 */
function attemptTimeLeftMs(startedAt: number): number | undefined {
  const { startToCloseTimeoutMs } = Context.current().info;
  if (!startToCloseTimeoutMs) return undefined;
  return Math.max(1, startedAt + startToCloseTimeoutMs - Date.now() - 1_000);
}
