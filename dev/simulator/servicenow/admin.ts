import express, { type NextFunction, type Request, type Response } from 'express';
import { ZodError } from 'zod';

import type { AgentUpdate } from './agent';
import type { BusinessRule } from './business-rule';
import type { FaultState } from './faults';
import type { WriteOutcome } from './record-writes';
import type { StatsRecorder } from './stats';
import type { RecordStore } from './store';

/**
 * /_sim: the simulator's control panel, for tests and local development only. It has no
 * authentication on purpose, so a simulator must never listen where anyone else can reach it.
 */
export interface AdminDeps {
  faults: FaultState;
  stats: StatsRecorder;
  store: RecordStore;
  reset(): void;
  expireTokens(): void;
  businessRule: BusinessRule;
  agentUpdate(target: { table: string; sysId: string }, input: AgentUpdate): WriteOutcome;
}

type FaultUpdate = (input: unknown) => unknown;

function updateFaults(apply: FaultUpdate) {
  return (req: Request, res: Response): void => {
    try {
      res.json({ faults: apply(req.body) });
    } catch (error) {
      if (!(error instanceof ZodError)) throw error;
      res.status(400).json({ error: 'invalid fault config', issues: error.issues });
    }
  };
}

function rawRecords(store: RecordStore) {
  return (req: Request, res: Response): void => {
    const { table } = req.params;
    if (!store.hasTable(table)) {
      res.status(404).json({ error: `no table ${table}` });
      return;
    }
    const correlationId = typeof req.query.correlation_id === 'string' ? req.query.correlation_id : undefined;
    const entries = store
      .stored(table)
      .filter((e) => correlationId === undefined || e.fields.correlation_id === correlationId);
    res.json({ result: entries.map((entry) => ({ record: entry.fields, journal: entry.journal })) });
  };
}

/** The business rule's outbound call (PUT config, DELETE it, GET stats) and agents' changes. */
function outboundRoutes(router: express.Router, deps: AdminDeps): void {
  router.get('/business-rule', (_req, res) =>
    res.json({ rule: deps.businessRule.current() ?? null, stats: deps.businessRule.stats() }),
  );
  router.put('/business-rule', (req, res) => {
    try {
      deps.businessRule.configure(req.body);
      res.json({ rule: deps.businessRule.current() });
    } catch (error) {
      if (!(error instanceof ZodError)) throw error;
      res.status(400).json({ error: 'invalid business rule', issues: error.issues });
    }
  });
  router.delete('/business-rule', (_req, res) => {
    deps.businessRule.configure(undefined);
    res.status(204).end();
  });
  router.post('/records/:table/:sysId/agent-update', (req, res) => {
    try {
      const outcome = deps.agentUpdate({ table: req.params.table, sysId: req.params.sysId }, req.body);
      if (!outcome.ok) return void res.status(outcome.status).json(outcome.body);
      res.json({ result: outcome.entry.fields });
    } catch (error) {
      if (!(error instanceof ZodError)) throw error;
      res.status(400).json({ error: 'invalid agent update', issues: error.issues });
    }
  });
}

export function adminRoutes(deps: AdminDeps): express.Router {
  const router = express.Router();
  router.use(express.json());
  router.get('/health', (_req, res) => res.json({ status: 'ok' }));
  router.get('/stats', (_req, res) => res.json(deps.stats.snapshot()));
  router.get('/faults', (_req, res) => res.json({ faults: deps.faults.current() }));
  router.put(
    '/faults',
    updateFaults((input) => deps.faults.replace(input)),
  );
  router.patch(
    '/faults',
    updateFaults((input) => deps.faults.merge(input)),
  );
  router.delete('/faults', (_req, res) => {
    deps.faults.clear();
    res.json({ faults: deps.faults.current() });
  });
  router.post('/reset', (_req, res) => {
    deps.reset();
    res.status(204).end();
  });
  router.post('/expire-tokens', (_req, res) => {
    deps.expireTokens();
    res.status(204).end();
  });
  router.get('/records/:table', rawRecords(deps.store));
  outboundRoutes(router, deps);
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if ((error as { type?: string }).type !== 'entity.parse.failed') return next(error);
    res.status(400).json({ error: 'body is not valid JSON' });
  });
  return router;
}
