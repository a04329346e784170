import { createHmac } from 'node:crypto';
import { z } from 'zod';

import type { Rng } from './rng';
import type { SimRecord } from './store';

/**
 * The admin's "after update, async" Business Rule that posts the change to the bridge with
 * sn_ws.RESTMessageV2 (the script `npm run servicenow-script` prints). Like RESTMessageV2 it never
 * retries: a failed or dropped call is simply gone, which is what the bridge's reconciler repairs.
 */
export const businessRuleSchema = z
  .object({
    url: z.string().url(),
    secret: z.string().min(1),
    /** `header`: the secret itself in `header`; `hmac`: base64 HMAC-SHA256 of the body, as generateMac gives. */
    auth: z.enum(['header', 'hmac']).default('header'),
    header: z.string().min(1).optional(),
    /** Share of calls that never leave (a node restart, a network error RESTMessageV2 does not retry). */
    dropRate: z.number().min(0).max(1).default(0),
  })
  .strict();

export type BusinessRuleConfig = z.input<typeof businessRuleSchema>;

export interface BusinessRuleStats {
  sent: number;
  dropped: number;
  failed: number;
  /** Updates made with setWorkflow(false): business rules do not run for them. */
  skipped: number;
}

export const DEFAULT_SECRET_HEADER = 'x-servicenow-secret';
export const DEFAULT_SIGNATURE_HEADER = 'x-servicenow-signature';

/** The body the printed script posts: the record's identity, and a few fields for logs (never trusted). */
export function outboundBody(table: string, record: SimRecord): string {
  return JSON.stringify({
    table,
    sys_id: record.sys_id,
    sys_mod_count: Number(record.sys_mod_count),
    number: record.number,
    sys_updated_by: record.sys_updated_by,
    sys_updated_on: record.sys_updated_on,
  });
}

export class BusinessRule {
  private config: z.output<typeof businessRuleSchema> | undefined;
  private counts: BusinessRuleStats = { sent: 0, dropped: 0, failed: 0, skipped: 0 };
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly rng: Rng) {}

  /** Validates and installs the rule; undefined removes it (no outbound calls). */
  configure(config: BusinessRuleConfig | undefined): void {
    this.config = config === undefined ? undefined : businessRuleSchema.parse(config);
  }

  current(): BusinessRuleConfig | undefined {
    return this.config && { ...this.config, secret: '<secret>' };
  }

  stats(): BusinessRuleStats {
    return { ...this.counts };
  }

  clear(): void {
    this.config = undefined;
    this.counts = { sent: 0, dropped: 0, failed: 0, skipped: 0 };
  }

  /** Runs after an update commits; `setWorkflow: false` updates skip business rules entirely. */
  afterUpdate(table: string, record: SimRecord, options: { setWorkflow?: boolean } = {}): void {
    const config = this.config;
    if (!config) return;
    if (options.setWorkflow === false) return void (this.counts.skipped += 1);
    if (this.rng() < config.dropRate) return void (this.counts.dropped += 1);
    const call = this.post(config, outboundBody(table, record)).finally(() => this.inFlight.delete(call));
    this.inFlight.add(call);
  }

  /** Resolves when every call sent so far has been answered or has failed (tests wait on it). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async post(config: z.output<typeof businessRuleSchema>, body: string): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (config.auth === 'hmac') {
      headers[config.header ?? DEFAULT_SIGNATURE_HEADER] = createHmac('sha256', config.secret)
        .update(body)
        .digest('base64');
    } else headers[config.header ?? DEFAULT_SECRET_HEADER] = config.secret;
    try {
      const response = await fetch(config.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      if (response.ok) this.counts.sent += 1;
      else this.counts.failed += 1;
    } catch {
      this.counts.failed += 1;
    }
  }
}
