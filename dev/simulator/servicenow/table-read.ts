import type { Request, Response } from 'express';

import { displayFieldOf } from './directory';
import { applyQuery } from './query';
import { renderOptionsFrom, renderRecord, type DisplayLookup } from './render';
import { errorBody, NO_RECORD_FOUND, sendJson } from './responses';
import type { RecordStore } from './store';
import { tableCallOf } from './table-call';

export interface ReadDeps {
  store: RecordStore;
  baseUrl: () => string;
}

const DEFAULT_LIMIT = 10_000;

export function displayLookup(store: RecordStore): DisplayLookup {
  return (table, sysId) => {
    const record = store.hasTable(table) ? store.get(table, sysId)?.fields : undefined;
    return record?.[displayFieldOf(table)] ?? '';
  };
}

/** Renders one stored record as this request asked (display values, reference links, field list). */
export function renderForRequest(deps: ReadDeps, req: Request, table: string, record: Record<string, string>) {
  const options = renderOptionsFrom(req.query, deps.baseUrl());
  return renderRecord(table, record, options, displayLookup(deps.store));
}

function nonNegativeInt(value: unknown, fallback: number): number {
  const parsed = Number.parseInt(String(value ?? ''), 10);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : fallback;
}

/** rel=first/prev/next/last links; `prev` on page one points at a negative offset, as a real instance does. */
function paginationLinks(req: Request, deps: ReadDeps, page: { offset: number; limit: number; total: number }): string {
  const link = (offset: number, rel: string): string => {
    const url = new URL(req.originalUrl, deps.baseUrl());
    url.searchParams.set('sysparm_limit', String(page.limit));
    url.searchParams.set('sysparm_offset', String(offset));
    return `<${url.toString()}>;rel="${rel}"`;
  };
  const lastOffset = page.limit > 0 ? Math.max(0, Math.floor((page.total - 1) / page.limit) * page.limit) : 0;
  const links = [link(0, 'first'), link(page.offset - page.limit, 'prev')];
  if (page.offset + page.limit < page.total) links.push(link(page.offset + page.limit, 'next'));
  links.push(link(lastOffset, 'last'));
  return links.join(',');
}

export function listRecords(deps: ReadDeps) {
  return (req: Request, res: Response): void => {
    const { table, version, user } = tableCallOf(res);
    const text = typeof req.query.sysparm_query === 'string' ? req.query.sysparm_query : '';
    const selected = applyQuery(deps.store.records(table), text, (field) => deps.store.isKnownField(table, field));
    const offset = nonNegativeInt(req.query.sysparm_offset, 0);
    const limit = nonNegativeInt(req.query.sysparm_limit, DEFAULT_LIMIT);
    res.setHeader('X-Total-Count', String(selected.length));
    if (req.query.sysparm_suppress_pagination_header !== 'true') {
      res.setHeader('Link', paginationLinks(req, deps, { offset, limit, total: selected.length }));
    }
    if (version === 'v1' && selected.length === 0) {
      return sendJson(res, 404, errorBody('No Record found', 'Records matching query not found'));
    }
    // The limit is applied before ACLs (and counted in X-Total-Count): a page can come back short, even empty.
    const page = selected.slice(offset, offset + limit).filter((r) => deps.store.mayRead(r.sys_id, user?.username));
    sendJson(res, 200, { result: page.map((record) => renderForRequest(deps, req, table, record)) });
  };
}

export function getRecord(deps: ReadDeps) {
  return (req: Request, res: Response): void => {
    const { table, sysId = '', user } = tableCallOf(res);
    const entry = deps.store.get(table, sysId);
    if (!entry || !deps.store.mayRead(sysId, user?.username)) return sendJson(res, 404, NO_RECORD_FOUND);
    sendJson(res, 200, { result: renderForRequest(deps, req, table, entry.fields) });
  };
}
