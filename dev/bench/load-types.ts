import type { Percentiles } from './timing';

/** How one burst of load went, whichever way it was generated. */
export interface LoadResult {
  /** Answers (HTTP) or finished calls (starts), successful or not. */
  completed: number;
  ok: number;
  /** Non-2xx answers or rejected starts. */
  failed: number;
  /** Connection errors and timeouts. */
  errors: number;
  durationS: number;
  /** Successful operations per second over the whole burst. */
  throughput: number;
  latencyMs: Percentiles;
  statusCodes: Record<string, number>;
}

export interface Pace {
  connections: number;
  /** Exactly one of durationS and amount. */
  durationS?: number;
  amount?: number;
  /** Offered load; absent = closed loop, as fast as answers come back. */
  ratePerSecond?: number;
}

export interface HttpLoadOptions extends Pace {
  kind: 'http';
  url: string;
}

export interface StartLoadOptions extends Pace {
  kind: 'starts';
  /** `bridge-event` starts exactly what the webhook starts; `trivial` the one-activity ceiling workflow. */
  workflow: 'bridge-event' | 'trivial';
  env: NodeJS.ProcessEnv;
}

export type LoadOptions = HttpLoadOptions | StartLoadOptions;
