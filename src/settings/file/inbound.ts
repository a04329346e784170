import { inboundVia, type TriggerConfig } from '../../config/bridge-config';
import type { SourceConfig } from '../../config/source';
import { GRAPHQL_NAME } from './writeback';

/**
 * An effective trigger's `inbound:` can reach its rows: a ticket per row (lifecycle), and one writer
 * to write them with (the write-back's `via`, else the only `source:` entry), whose names it can write.
 */
export function checkInbound(
  trigger: TriggerConfig,
  path: string,
  check: { source: SourceConfig; problems: string[] },
): void {
  if (!trigger.inbound) return;
  const { problems } = check;
  if (!trigger.lifecycle.enabled) {
    problems.push(`${path}.inbound: needs lifecycle.enabled: true (a ticket per row is how a change finds its row)`);
  }
  const via = inboundVia(trigger, check.source);
  if (!via) {
    const why = check.source.postgres
      ? 'both source.postgres and source.hasura are configured: give the trigger a writeback with via'
      : 'configure source.postgres.url or source.hasura, which writes the row';
    problems.push(`${path}.inbound: needs a source: ${why}`);
    return;
  }
  if (via !== 'hasura') return;
  for (const name of Object.keys(trigger.inbound.columns).filter((column) => !GRAPHQL_NAME.test(column))) {
    problems.push(
      `${path}.inbound.columns: "${name}" is not a GraphQL name, so Hasura cannot expose it (use via: postgres)`,
    );
  }
}
