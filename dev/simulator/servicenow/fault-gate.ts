import type { NextFunction, Request, Response } from 'express';

import type { FaultState } from './faults';
import type { RateLimiter } from './rate-limit';
import { sendHibernatingPage, sendInjectedError, sendRateLimited, setRateLimitHeaders } from './responses';
import type { Rng } from './rng';
import type { StatsRecorder } from './stats';
import { tableCallOf } from './table-call';

export interface GateDeps {
  faults: FaultState;
  rng: Rng;
  rateLimiter: RateLimiter;
  stats: StatsRecorder;
  now: () => number;
}

/** The limit a 429 storm reports when no rate limit is configured: the documented example rule. */
const STORM_LIMIT = 100;

/** Whether the active faults apply to this call (set by the gate; false when a scope excludes it). */
export function isInFaultScope(res: Response): boolean {
  return res.locals.inFaultScope === true;
}

/** Resolves true after `ms`, or false as soon as the client goes away. */
export function delayUnlessClosed(ms: number, res: Response): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(true);
    }, ms);
    res.once('close', onClose);
  });
}

/** Answers the call with the first fault that hits it; true when it did. */
function answerWithFault(deps: GateDeps, req: Request, res: Response, options: { tableApi: boolean }): boolean {
  const outage = deps.faults.outageMode();
  if (outage === 'reset') req.socket.resetAndDestroy();
  else if (outage === 'status') sendInjectedError(res, 503);
  if (outage) return true;
  const hibernatingStatus = deps.faults.hibernatingStatus();
  if (hibernatingStatus !== undefined) {
    sendHibernatingPage(res, hibernatingStatus);
    return true;
  }
  if (!options.tableApi) return false;
  const storm = deps.faults.takeStorm();
  if (storm) {
    const limit = deps.faults.rateLimit()?.perHour ?? STORM_LIMIT;
    const resetEpochSec = Math.ceil(deps.now() / 1000 + storm.retryAfterSec);
    sendRateLimited(res, { limit, resetEpochSec, retryAfterSec: storm.retryAfterSec });
    return true;
  }
  const status = deps.faults.drawErrorStatus(deps.rng);
  if (status === 429)
    sendRateLimited(res, { limit: STORM_LIMIT, resetEpochSec: Math.ceil(deps.now() / 1000) + 1, retryAfterSec: 1 });
  else if (status !== undefined) sendInjectedError(res, status);
  return status !== undefined;
}

/**
 * Runs before authentication, as a sick instance or its load balancer fails before it checks
 * credentials: latency, outage, hibernation and (Table API only) 429 storms and random errors.
 */
export function faultGate(deps: GateDeps, options: { tableApi: boolean }) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const correlationId = options.tableApi ? tableCallOf(res).correlationId : undefined;
    res.locals.inFaultScope = deps.faults.inScope(correlationId);
    if (!isInFaultScope(res)) return next();
    if (!(await delayUnlessClosed(deps.faults.latencyMs(), res))) return;
    if (!answerWithFault(deps, req, res, options)) next();
  };
}

/**
 * Notes when a call arrived, before its body is read and its credentials checked: the rate limit counts it
 * at that moment, so this process's own lag under load (tens of ms) is not charged to the client's pacing.
 */
export function stampArrival(now: () => number) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.locals.arrivedAtMs = now();
    next();
  };
}

/** Per-user hourly limit, counted after authentication (sys_rate_limit_rules count per user) at arrival. */
export function rateLimitGate(deps: GateDeps) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const rule = deps.faults.rateLimit();
    const user = tableCallOf(res).user;
    if (!rule || !user || !isInFaultScope(res)) return next();
    const verdict = deps.rateLimiter.check(user.username, rule, res.locals.arrivedAtMs as number | undefined);
    deps.stats.recordWindowCount(verdict.count);
    if (!verdict.allowed) return sendRateLimited(res, verdict);
    setRateLimitHeaders(res, verdict);
    next();
  };
}
