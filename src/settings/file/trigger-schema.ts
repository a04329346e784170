import { z } from 'zod';
import { hasuraOpSchema } from '../../hasura/event-schema';
import { duration } from './common';

const fieldName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'must be a field name such as short_description');
const templates = z.record(fieldName, z.string().describe('Liquid template'));

const lifecycleSchema = z
  .object({
    enabled: z
      .boolean()
      .optional()
      .describe('follow the row: UPDATE updates the ticket, DELETE resolves it; default false'),
    manual: z.enum(['create', 'upsert']).optional().describe('what a MANUAL (console) event does; default create'),
    on_closed: z
      .enum(['reopen', 'create-new', 'ignore'])
      .optional()
      .describe('an UPDATE for a row whose ticket is closed; default reopen'),
    reorder_window: duration
      .optional()
      .describe('how long to wait for an earlier event of the same row, e.g. `5s`; default 5s'),
  })
  .strict()
  .describe('merged key by key over the defaults');

/** A PostgreSQL identifier: any text of 1 to 63 bytes but NUL (the writer quotes it). */
const columnNameOf = (text: z.ZodString) =>
  text
    .min(1)
    .refine((name) => Buffer.byteLength(name) <= 63 && !name.includes('\0'), 'must be a column name (1 to 63 bytes)');
export const columnName = columnNameOf(z.string());
const columnTemplates = z.record(columnName, z.string().describe('Liquid template'));

const writebackSchema = z
  .object({
    via: z.enum(['postgres', 'hasura']).describe('`postgres`: needs source.postgres; `hasura`: needs source.hasura'),
    table: z
      .string()
      .regex(/^[^.\0]+\.[^\0]+$/, 'must be schema.name, e.g. public.incident_request')
      .optional()
      .describe("`schema.name` of the row's table; default: the event's table"),
    columns: columnTemplates
      .default({})
      .describe(
        'column → template written after a create, update, resolve or reopen (`ticket`, `action`, `synced_at`)',
      ),
    error_columns: columnTemplates
      .default({})
      .describe('column → template written when the event parks (`error`, `attempts`, `parked_until`)'),
  })
  .strict()
  .describe('write the ticket back into the row (README "Write-back"); an empty rendering writes NULL');

const TICKET_COLUMN_REQUIRED =
  'required: the writeback.columns column written as "{{ ticket.id }}" (an inbound write changes only the row ' +
  "holding the changed record's sys_id there)";

const inboundSchema = z
  .object({
    columns: z
      .record(columnName, z.string().describe('Liquid template over `record`'))
      .refine((columns) => Object.keys(columns).length > 0, 'name at least one column')
      .describe("source column → template over the re-read record, e.g. `{{ record.state | lookup: 'sn_state' }}`"),
    integration_user: z
      .string()
      .min(1)
      .optional()
      .describe(
        "sys_updated_by of the bridge's own changes (any case), reported as echoes when they change nothing; default the target's username",
      ),
    // Review 14 R2: a row's workflow learns of its row's DELETE and INSERT late (Hasura's events), so only the
    // row's own ticket column, checked in the UPDATE itself, tells a re-inserted row from the one ticketed.
    ticket_column: columnNameOf(z.string({ required_error: TICKET_COLUMN_REQUIRED })).describe(
      'a `writeback.columns` column written as `{{ ticket.id }}`: a change is written only to the row holding its sys_id',
    ),
  })
  .strict()
  .describe(
    'ServiceNow changes back to the row (lifecycle triggers on a servicenow target); an empty result writes NULL',
  );

/** One trigger's settings as written in the file; every key optional, missing ones come from `defaults`. */
export const triggerSchema = z
  .object({
    target: z.string().min(1).optional().describe('name of an entry under `targets`'),
    ops: z.array(hasuraOpSchema).min(1).optional().describe('Hasura ops this trigger acts on; default all four'),
    row_key: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe("primary-key columns: the row's identity; default [id]"),
    lifecycle: lifecycleSchema.optional(),
    fields: templates.optional().describe('field → template for a new ticket; replaces the defaults as a whole'),
    update_fields: templates
      .nullable()
      .optional()
      .describe('field → template for an update; null or absent = `fields`'),
    resolve_fields: templates.optional().describe('field → template sent when the ticket is resolved'),
    work_note: z
      .string()
      .optional()
      .describe('template of the note added on update; `changes` lists {field, from, to}'),
    inbound: inboundSchema.optional(),
    writeback: writebackSchema.nullable().optional().describe('replaces the default as a whole; null = none'),
  })
  .strict();

export type TriggerInput = z.output<typeof triggerSchema>;
