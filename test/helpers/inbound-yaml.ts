import { CORRELATION_YAML } from './correlation';

/** A trigger of boundInboundYaml: its name, and the table its write-back names (none: the row's own). */
export interface BoundTrigger {
  name: string;
  table?: string;
}

/**
 * A config whose triggers each bring a ServiceNow record back to its row, bound to the row's ticket: a Postgres
 * source, one ServiceNow target `sn` (user `svc`, password and source URL from $P), and per trigger a lifecycle
 * whose write-back puts the ticket's sys_id in `ticket_sys_id` and whose inbound writes `status` from
 * `record.state` where that column holds the ticket. `correlation` is the config's `correlation:` line.
 */
export function boundInboundYaml(triggers: BoundTrigger[], correlation = CORRELATION_YAML): string {
  const blocks = triggers.map(
    ({ name, table }) => `  ${name}:
    target: sn
    row_key: [id]
    lifecycle: { enabled: true }
    fields: { short_description: "{{ row.title }}" }
    writeback: { via: postgres, ${table ? `table: ${table}, ` : ''}columns: { ticket_sys_id: "{{ ticket.id }}" } }
    inbound: { columns: { status: "{{ record.state }}" }, ticket_column: ticket_sys_id }
`,
  );
  return `
source: { postgres: { url: { env: P } } }
${correlation}targets:
  sn: { type: servicenow, instance_url: https://x.service-now.com, auth: { type: basic, username: svc, password: { env: P } } }
triggers:
${blocks.join('')}`;
}
