import type { EventPolicy } from './types';

export const DEFAULT_POLICY: EventPolicy = {
  // 2 s doubling to 5 min, 20 attempts: about 70 minutes of retrying before an operator is paged.
  ticketRetry: { initialIntervalMs: 2_000, backoffCoefficient: 2, maximumIntervalMs: 300_000, maximumAttempts: 20 },
  attemptTimeoutMs: 30_000,
  parkTimeoutMs: 7 * 24 * 3600_000,
  duplicateCheckDelayMs: 90_000,
  rowRetentionMs: 24 * 3600_000,
};

export function resolvePolicy(overrides: Partial<EventPolicy> = {}): EventPolicy {
  return { ...DEFAULT_POLICY, ...overrides, ticketRetry: { ...DEFAULT_POLICY.ticketRetry, ...overrides.ticketRetry } };
}
