import { z } from 'zod';

/**
 * The body of a Hasura v2 event-trigger delivery, exactly as the engine encodes `EventPayload`
 * (no `payload` wrapper). Unknown extra fields are tolerated (`passthrough`) so a newer Hasura
 * that adds fields keeps working; the fields we rely on are strict.
 */
const TRIGGER_NAME = /^[A-Za-z]+[A-Za-z0-9_-]*$/;
// Current Hasura sends LocalTime without a zone; v2.0-era builds append `Z`. Both are accepted.
const HASURA_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/;

const row = z.record(z.string(), z.unknown());

export const hasuraOpSchema = z.enum(['INSERT', 'UPDATE', 'DELETE', 'MANUAL']);

export const hasuraEventSchema = z
  .object({
    id: z.string().uuid(),
    created_at: z.string().regex(HASURA_TIMESTAMP, 'expected YYYY-MM-DDTHH:MM:SS[.ffffff][Z]'),
    trigger: z.object({ name: z.string().max(200).regex(TRIGGER_NAME, 'not a Hasura trigger name') }).passthrough(),
    table: z.object({ schema: z.string().min(1).max(200), name: z.string().min(1).max(200) }).passthrough(),
    event: z
      .object({
        op: hasuraOpSchema,
        data: z.object({ old: row.nullable(), new: row.nullable() }).passthrough(),
        session_variables: z.record(z.string(), z.string()).nullable().optional(),
        trace_context: z.record(z.string(), z.unknown()).nullable().optional(),
      })
      .passthrough(),
    delivery_info: z
      .object({ current_retry: z.number().int().min(0), max_retries: z.number().int().min(0) })
      .passthrough(),
  })
  .passthrough()
  .superRefine((body, ctx) => {
    const { op, data } = body.event;
    const needsNew = op !== 'DELETE';
    const needsOld = op === 'UPDATE' || op === 'DELETE';
    if (needsNew && !data.new)
      ctx.addIssue({ code: 'custom', path: ['event', 'data', 'new'], message: `required for ${op}` });
    if (needsOld && !data.old)
      ctx.addIssue({ code: 'custom', path: ['event', 'data', 'old'], message: `required for ${op}` });
  });

export type HasuraEventBody = z.infer<typeof hasuraEventSchema>;
export type HasuraOp = z.infer<typeof hasuraOpSchema>;
