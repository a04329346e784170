import express, { type NextFunction, type Request, type Response } from 'express';

import { adminRoutes, type AdminDeps } from './admin';
import { tokenEndpoint } from './auth';
import { faultGate } from './fault-gate';
import { errorBody, sendJson, UNKNOWN_RESOURCE } from './responses';
import { countCalls } from './stats';
import { MAX_BODY_BYTES, tableRoutes, type TableRouteDeps } from './table-routes';

export type AppDeps = TableRouteDeps & AdminDeps;

/** Oversized or unreadable bodies get the instance's "Exception while reading request". */
function bodyErrors(error: unknown, req: Request, res: Response, next: NextFunction): void {
  const type = (error as { type?: string }).type;
  if (type === 'entity.too.large') {
    const detail = `Rejected large REST payload with content-length = ${req.headers['content-length']} bytes. Max allowed: ${MAX_BODY_BYTES} bytes.`;
    return sendJson(res, 400, errorBody('Exception while reading request', detail));
  }
  if (type?.startsWith('entity.') || type === 'encoding.unsupported') {
    return sendJson(res, 400, errorBody('Exception while reading request', null));
  }
  next(error);
}

export function buildApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use((_req, res, next) => {
    res.setHeader('Server', 'ServiceNow');
    next();
  });
  app.use('/_sim', adminRoutes(deps));
  app.post(
    '/oauth_token.do',
    express.urlencoded({ extended: false }),
    countCalls(deps.stats, (req) => ({ method: req.method, route: '/oauth_token.do' })),
    faultGate(deps, { tableApi: false }),
    tokenEndpoint(deps),
  );
  app.use(tableRoutes(deps));
  app.use('/api', (_req, res) => sendJson(res, 400, UNKNOWN_RESOURCE));
  app.use(bodyErrors);
  return app;
}
