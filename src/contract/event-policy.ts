/** Retry schedule and deadlines of ticket work. Pure: runs in workflow code. */
export interface RetrySchedule {
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  /** Attempts before the event is parked for an operator. */
  maximumAttempts: number;
}

/** Timing knobs: the worker's config sets them, tests override them through the workflow input. No secrets. */
export interface EventPolicy {
  ticketRetry: RetrySchedule;
  /** One attempt's budget; the HTTP client's own timeout is shorter so it can report why. */
  attemptTimeoutMs: number;
  /** How long a failed event waits for an operator's retry/abandon before it ends failed. */
  parkTimeoutMs: number;
  /**
   * Ticket calls go to this task queue when set: a worker polls it with a task-queue-wide rate
   * limit, so the ticketing API's limit holds across any number of workers.
   */
  ticketTaskQueue?: string;
  /** Row workflows started before issue 12: after the row's DELETE, how long they wait for late events. */
  rowRetentionMs: number;
  /**
   * A row workflow finishes after this long without events; the next event starts a run that resumes
   * from its final state. Never shorter than attemptTimeoutMs nor twice ROW_DELIVERY_BOUND_MS (the hand-over relies on
   * it: README "Mappings, lifecycle").
   * Optional only because a worker from before issue 12 may answer a run's policy request.
   */
  rowIdleMs?: number;
  /**
   * After a create that needed retries, wait this long and look for a duplicate that a timed-out
   * attempt committed late. ServiceNow cancels any transaction after 60 s, so 90 s covers it.
   */
  duplicateCheckDelayMs: number;
  /**
   * A fresh run for an event older than this looks its ticket up before creating: it may be a Hasura
   * redelivery of an event whose first run created the ticket and has since left retention.
   */
  lookupFirstAfterMs: number;
  /**
   * Retries of a write-back into the row (its own schedule: a database outage never touches the ticket).
   * Optional only because a worker from before issue 13 may answer.
   */
  writeBackRetry?: RetrySchedule;
}

/**
 * The longest a webhook (or catch-up, backfill) spends delivering one row event to its row workflow. A delivery
 * that finds no open run starts one resuming the last run's state: a run that started and finished idle
 * meanwhile would be resumed past. ROW_IDLE is at least twice as long (the bound is a client deadline: a start may
 * still commit after it), so that run is still open (src/settings/policy.ts).
 */
export const ROW_DELIVERY_BOUND_MS = 5_000;

export const DEFAULT_POLICY: EventPolicy = {
  // 2 s doubling to 5 min, 20 attempts: about 70 minutes of retrying before an operator is paged.
  ticketRetry: { initialIntervalMs: 2_000, backoffCoefficient: 2, maximumIntervalMs: 300_000, maximumAttempts: 20 },
  attemptTimeoutMs: 30_000,
  parkTimeoutMs: 7 * 24 * 3600_000,
  duplicateCheckDelayMs: 90_000,
  // Far above any delivery delay of a healthy pipeline, far below any namespace retention.
  lookupFirstAfterMs: 3600_000,
  rowRetentionMs: 24 * 3600_000,
  rowIdleMs: 10 * 60_000,
  // 1 s doubling to 1 min, 12 attempts: about 8 minutes, then reported; a park waits for it before settling.
  writeBackRetry: { initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 60_000, maximumAttempts: 12 },
};

/**
 * `base` with the given fields replaced; the retry schedule is merged field by field too. A field that
 * `base` lacks (a policy recorded by a worker from before the field) takes its default.
 */
export function resolvePolicy(overrides: Partial<EventPolicy> = {}, base: EventPolicy = DEFAULT_POLICY): EventPolicy {
  const ticketRetry = { ...DEFAULT_POLICY.ticketRetry, ...base.ticketRetry, ...overrides.ticketRetry };
  return { ...DEFAULT_POLICY, ...base, ...overrides, ticketRetry };
}
