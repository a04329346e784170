import type { NextFunction, Request, Response } from 'express';

/** Call counters the tests and the admin API read: what reached the simulator, and what it answered. */
export interface SimulatorStats {
  total: number;
  byMethod: Record<string, number>;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  /** Records actually stored by POST, including slow-then-commit creates whose answer never came. */
  creates: number;
  byCorrelation: Record<string, number>;
  /** Most calls counted in one rate-limit window (0 without a rate limit): the peak as the limit sees it. */
  peakWindowCalls: number;
  /** When each correlation id's first record was stored (epoch ms): the end of an event's way through the bridge. */
  createdAtMs: Record<string, number>;
}

export interface CallSummary {
  method: string;
  route: string;
  correlationId?: string;
}

function bump(counter: Record<string, number>, key: string): void {
  counter[key] = (counter[key] ?? 0) + 1;
}

export class StatsRecorder {
  private stats: SimulatorStats = StatsRecorder.empty();

  private static empty(): SimulatorStats {
    return {
      total: 0,
      byMethod: {},
      byRoute: {},
      byStatus: {},
      creates: 0,
      byCorrelation: {},
      peakWindowCalls: 0,
      createdAtMs: {},
    };
  }

  recordCall(call: CallSummary): void {
    this.stats.total += 1;
    bump(this.stats.byMethod, call.method);
    bump(this.stats.byRoute, `${call.method} ${call.route}`);
    if (call.correlationId) bump(this.stats.byCorrelation, call.correlationId);
  }

  recordStatus(status: number): void {
    bump(this.stats.byStatus, String(status));
  }

  recordWindowCount(count: number): void {
    this.stats.peakWindowCalls = Math.max(this.stats.peakWindowCalls, count);
  }

  recordCreate(correlationId: string | undefined, atMs: number): void {
    this.stats.creates += 1;
    if (correlationId) this.stats.createdAtMs[correlationId] ??= atMs;
  }

  snapshot(): SimulatorStats {
    return structuredClone(this.stats);
  }

  clear(): void {
    this.stats = StatsRecorder.empty();
  }
}

/** Express middleware: counts the call on arrival and its status once answered (held answers never count a status). */
export function countCalls(stats: StatsRecorder, describe: (req: Request, res: Response) => CallSummary) {
  return (req: Request, res: Response, next: NextFunction): void => {
    stats.recordCall(describe(req, res));
    res.once('finish', () => stats.recordStatus(res.statusCode));
    next();
  };
}
