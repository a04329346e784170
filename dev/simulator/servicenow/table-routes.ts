import express, { type Request, type Response } from 'express';

import { authenticate, type AuthDeps } from './auth';
import { faultGate, rateLimitGate, stampArrival, type GateDeps } from './fault-gate';
import { errorBody, invalidTable, sendJson } from './responses';
import { countCalls } from './stats';
import { readTableCall, requireJsonWrite, TABLE_PATH, tableCallOf } from './table-call';
import { getRecord, listRecords } from './table-read';
import { createHandler, deleteHandler, updateHandler, type TableWriteDeps } from './table-write';

export type TableRouteDeps = TableWriteDeps & AuthDeps & GateDeps;

/** Real instances cap REST bodies at 10 MB (glide.rest.max_content_length). */
export const MAX_BODY_BYTES = 10_485_760;

function methodNotSupported(req: Request, res: Response): void {
  sendJson(res, 405, errorBody('Method not Supported', `${req.method} method not supported for API`));
}

function dispatch(deps: TableRouteDeps) {
  const list = listRecords(deps);
  const get = getRecord(deps);
  const create = createHandler(deps);
  const update = updateHandler(deps);
  const remove = deleteHandler(deps);
  return (req: Request, res: Response): void => {
    const { table, sysId } = tableCallOf(res);
    if (!deps.store.hasTable(table)) return sendJson(res, 400, invalidTable(table));
    const isWrite = ['POST', 'PUT', 'PATCH'].includes(req.method);
    const next = (): void => {
      if (req.method === 'GET') return sysId ? get(req, res) : list(req, res);
      if (req.method === 'POST' && !sysId) return create(req, res);
      if ((req.method === 'PATCH' || req.method === 'PUT') && sysId) return update(req, res);
      if (req.method === 'DELETE' && sysId) return remove(req, res);
      methodNotSupported(req, res);
    };
    if (isWrite) requireJsonWrite(req, res, next);
    else next();
  };
}

function routeOf(req: Request, res: Response) {
  const call = tableCallOf(res);
  const version = call.version ? `/${call.version}` : '';
  const route = `/api/now${version}/table/${call.table}${call.sysId ? '/:sys_id' : ''}`;
  return { method: req.method, route, correlationId: call.correlationId };
}

/** The Table API pipeline: parse, count, faults, authenticate, rate-limit, then the table operation. */
export function tableRoutes(deps: TableRouteDeps): express.Router {
  const router = express.Router();
  router.all(
    TABLE_PATH,
    stampArrival(deps.now),
    express.text({ type: () => true, limit: MAX_BODY_BYTES }),
    readTableCall(deps.store),
    countCalls(deps.stats, routeOf),
    faultGate(deps, { tableApi: true }),
    authenticate(deps),
    rateLimitGate(deps),
    dispatch(deps),
  );
  return router;
}
