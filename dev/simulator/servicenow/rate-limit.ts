/**
 * Per-user fixed windows, as sys_rate_limit_rules count "per user per hour". The window length is
 * configurable so tests need not wait an hour for a reset.
 */
export interface RateLimitRule {
  perHour: number;
  windowMs: number;
}

export interface RateLimitVerdict {
  allowed: boolean;
  /** Calls this window has counted so far, this one and refused ones included. */
  count: number;
  limit: number;
  resetEpochSec: number;
  retryAfterSec: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, { startMs: number; count: number }>();

  constructor(private readonly now: () => number) {}

  /** Counts one call by `user`, arrived at `atMs`, and says whether the rule lets it through. */
  check(user: string, rule: RateLimitRule, atMs?: number): RateLimitVerdict {
    const nowMs = atMs ?? this.now();
    let window = this.windows.get(user);
    if (!window || nowMs >= window.startMs + rule.windowMs) {
      window = { startMs: nowMs, count: 0 };
      this.windows.set(user, window);
    }
    window.count += 1;
    const resetMs = window.startMs + rule.windowMs;
    return {
      allowed: window.count <= rule.perHour,
      count: window.count,
      limit: rule.perHour,
      resetEpochSec: Math.ceil(resetMs / 1000),
      retryAfterSec: Math.ceil((resetMs - nowMs) / 1000),
    };
  }

  clear(): void {
    this.windows.clear();
  }
}
