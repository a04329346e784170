import type { NextFunction, Request, Response } from 'express';
import { FaultState, faultConfigSchema, type FaultConfig } from '../servicenow/faults';
import { RateLimiter } from '../servicenow/rate-limit';
import { createRng, type Rng } from '../servicenow/rng';
import { delayUnlessClosed } from '../servicenow/fault-gate';

/** The ServiceNow simulator's fault keys that mean something for a plain JSON API. */
export type JsonFaultConfig = Omit<
  FaultConfig,
  'hibernating' | 'hibernatingStatus' | 'slowThenCommit' | 'delayedCommit' | 'scope'
>;

const UNSUPPORTED_KEYS = ['hibernating', 'hibernatingStatus', 'slowThenCommit', 'delayedCommit', 'scope'] as const;

/** How a simulator words a refusal: it writes status, headers and its own error body. */
export type ErrorResponder = (res: Response, status: number, message: string) => void;

/** Fault injection shared by the Jira and REST ticket simulators, driven by the ServiceNow simulator's FaultState. */
export class JsonFaults {
  readonly #now = (): number => Date.now();
  readonly #state = new FaultState(this.#now);
  readonly #limiter = new RateLimiter(this.#now);
  readonly #rng: Rng;

  constructor(options: { faults?: JsonFaultConfig; seed?: number } = {}) {
    this.#rng = createRng(options.seed);
    this.set(options.faults ?? {});
  }

  /** Replaces the configuration; throws naming a key this kind of simulator does not support. */
  set(faults: JsonFaultConfig): void {
    const parsed = faultConfigSchema.parse(faults);
    const unsupported = UNSUPPORTED_KEYS.filter((key) => parsed[key] !== undefined);
    if (unsupported.length > 0)
      throw new Error(`fault keys not supported by this simulator: ${unsupported.join(', ')}`);
    this.#state.replace(parsed);
    this.#limiter.clear();
  }

  /** Express middleware answering with the first fault that hits the call: latency, outage, 429s, random errors. */
  gate(respond: ErrorResponder) {
    return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      if (!(await this.#delay(res))) return;
      const outage = this.#state.outageMode();
      if (outage === 'reset') return void req.socket.resetAndDestroy();
      if (outage === 'status') return respond(res, 503, 'Service unavailable (injected outage)');
      const storm = this.#state.takeStorm();
      if (storm) return this.#tooMany(res, respond, storm.retryAfterSec);
      const limit = this.#state.rateLimit();
      const verdict = limit && this.#limiter.check('all', limit);
      if (verdict && !verdict.allowed) return this.#tooMany(res, respond, verdict.retryAfterSec);
      const status = this.#state.drawErrorStatus(this.#rng);
      if (status === 429) return this.#tooMany(res, respond, 1);
      if (status !== undefined) return respond(res, status, `Injected error ${status}`);
      next();
    };
  }

  #tooMany(res: Response, respond: ErrorResponder, retryAfterSec: number): void {
    res.setHeader('Retry-After', String(Math.max(0, Math.ceil(retryAfterSec))));
    respond(res, 429, 'Rate limit exceeded.');
  }

  /** Resolves true after the configured latency, or false once the client has gone. */
  #delay(res: Response): Promise<boolean> {
    return delayUnlessClosed(this.#state.latencyMs(), res);
  }
}
