import { z } from 'zod';

import type { DelayedCommitPlan } from './delayed-commit';
import { pick, type Rng } from './rng';

const outageSchema = z
  .object({
    untilEpochMs: z.number().optional(),
    forMs: z.number().int().positive().optional(),
    /** `status` answers 503; `reset` drops the connection without an answer. Default status. */
    mode: z.enum(['status', 'reset']).optional(),
  })
  .strict()
  .refine(
    (o) => (o.untilEpochMs === undefined) !== (o.forMs === undefined),
    'give exactly one of untilEpochMs or forMs',
  );

const storm429Schema = z
  .object({
    count: z.number().int().positive().optional(),
    untilEpochMs: z.number().optional(),
    retryAfterSec: z.number().min(0).optional(),
  })
  .strict()
  .refine(
    (s) => (s.count === undefined) !== (s.untilEpochMs === undefined),
    'give exactly one of count or untilEpochMs',
  );

/** What can go wrong, and for whom; every key is optional and an empty object means a healthy instance. */
export const faultConfigSchema = z
  .object({
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    errorRate: z.number().min(0).max(1).optional(),
    errorStatuses: z.array(z.number().int().min(400).max(599)).min(1).optional(),
    outage: outageSchema.optional(),
    rateLimit: z
      .object({ perHour: z.number().int().positive(), windowMs: z.number().int().positive().optional() })
      .strict()
      .optional(),
    storm429: storm429Schema.optional(),
    hibernating: z.boolean().optional(),
    hibernatingStatus: z.number().int().min(100).max(599).optional(),
    slowThenCommit: z
      .object({ count: z.number().int().min(0) })
      .strict()
      .optional(),
    delayedCommit: z
      .object({
        count: z.number().int().min(0),
        commitAfterMs: z.number().int().min(0).max(600_000).default(1_000),
        answer: z.enum(['never', 'late', 'after-commit']).default('never'),
        lateByMs: z.number().int().min(0).max(600_000).default(5_000),
      })
      .strict()
      .optional(),
    scope: z
      .object({ correlationIdPrefix: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict();

/** What callers write (defaults may be left out); the state holds the parsed form. */
export type FaultConfig = z.input<typeof faultConfigSchema>;

const DEFAULT_ERROR_STATUSES = [500, 502, 503];
const DEFAULT_STORM_RETRY_AFTER_SEC = 1;
const HOUR_MS = 3_600_000;

export interface StormAnswer {
  retryAfterSec: number;
}

/** The active fault configuration plus the counters it consumes (storm count, slow commits, outage end). */
export class FaultState {
  private config: z.infer<typeof faultConfigSchema> = {};
  private outageUntil = 0;
  private stormRemaining = 0;
  private slowCommitsRemaining = 0;
  private delayedCommitsRemaining = 0;

  constructor(private readonly now: () => number) {}

  current(): FaultConfig {
    return this.config;
  }

  /** Replaces the whole configuration; throws a ZodError naming the bad key. */
  replace(input: unknown): FaultConfig {
    const parsed = faultConfigSchema.parse(input);
    this.config = parsed;
    this.arm(parsed);
    return parsed;
  }

  /** Overwrites only the keys given (each key whole), re-arming their counters. */
  merge(input: unknown): FaultConfig {
    const patch = faultConfigSchema.parse(input);
    this.config = faultConfigSchema.parse({ ...this.config, ...patch });
    this.arm(patch);
    return this.config;
  }

  clear(): void {
    this.replace({});
  }

  inScope(correlationId: string | undefined): boolean {
    const prefix = this.config.scope?.correlationIdPrefix;
    return prefix === undefined || (correlationId?.startsWith(prefix) ?? false);
  }

  outageMode(): 'status' | 'reset' | undefined {
    if (!this.config.outage || this.now() >= this.outageUntil) return undefined;
    return this.config.outage.mode ?? 'status';
  }

  hibernatingStatus(): number | undefined {
    return this.config.hibernating ? (this.config.hibernatingStatus ?? 200) : undefined;
  }

  latencyMs(): number {
    return this.config.latencyMs ?? 0;
  }

  rateLimit(): { perHour: number; windowMs: number } | undefined {
    const limit = this.config.rateLimit;
    return limit && { perHour: limit.perHour, windowMs: limit.windowMs ?? HOUR_MS };
  }

  /** Consumes one storm answer when a 429 storm is on. */
  takeStorm(): StormAnswer | undefined {
    const storm = this.config.storm429;
    if (!storm) return undefined;
    if (storm.untilEpochMs !== undefined ? this.now() >= storm.untilEpochMs : this.stormRemaining <= 0)
      return undefined;
    if (storm.count !== undefined) this.stormRemaining -= 1;
    return { retryAfterSec: storm.retryAfterSec ?? DEFAULT_STORM_RETRY_AFTER_SEC };
  }

  /** The status of an injected random error, if the dice say this call fails. */
  drawErrorStatus(rng: Rng): number | undefined {
    const rate = this.config.errorRate ?? 0;
    if (rate === 0 || rng() >= rate) return undefined;
    return pick(rng, this.config.errorStatuses ?? DEFAULT_ERROR_STATUSES);
  }

  /** Consumes one slow-then-commit create when any are left. */
  takeSlowCommit(): boolean {
    if (this.slowCommitsRemaining <= 0) return false;
    this.slowCommitsRemaining -= 1;
    return true;
  }

  /** Consumes one delayed-commit create when any are left. */
  takeDelayedCommit(): DelayedCommitPlan | undefined {
    const delayed = this.config.delayedCommit;
    if (!delayed || this.delayedCommitsRemaining <= 0) return undefined;
    this.delayedCommitsRemaining -= 1;
    return { commitAfterMs: delayed.commitAfterMs, answer: delayed.answer, lateByMs: delayed.lateByMs };
  }

  private arm(changed: FaultConfig): void {
    const outage = this.config.outage;
    if (changed.outage || !outage)
      this.outageUntil = outage ? (outage.untilEpochMs ?? this.now() + (outage.forMs ?? 0)) : 0;
    if (changed.storm429 || !this.config.storm429) this.stormRemaining = this.config.storm429?.count ?? 0;
    if (changed.slowThenCommit || !this.config.slowThenCommit)
      this.slowCommitsRemaining = this.config.slowThenCommit?.count ?? 0;
    if (changed.delayedCommit || !this.config.delayedCommit) {
      this.delayedCommitsRemaining = this.config.delayedCommit?.count ?? 0;
    }
  }
}
