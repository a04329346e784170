import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import { rowKeyOf } from '../mapping/row-key';
import { neverAccepted } from '../starting/event-routing';
import type { EventStarter } from '../starting/event-starter';
import { backfillBody, backfillEventId } from './backfill-event';
import { countRows, primaryKeyOf, readRows, type TableScan } from './table-rows';

export interface BackfillCounts {
  rows: number;
  started: number;
  /** The row's backfill event already has its workflow (an earlier run): nothing started. */
  alreadyKnown: number;
  /** The trigger's config ignores MANUAL, or the row lacks a row-key column. */
  skipped: number;
  wouldStart: number;
}

/** Where the last started key is kept between runs (`--state-file`); never in Hasura's catalog. */
export interface BackfillState {
  load(): string[] | undefined;
  save(lastKey: string[]): void;
}

export interface BackfillOptions extends TableScan {
  pool: Pool;
  /** On the backfill task queue, with `runningIsDuplicate`. */
  starter: EventStarter;
  trigger: string;
  dryRun?: boolean;
  /** Starts per second at most. */
  rate?: number;
  /** Stop after this many rows (a batch); `--resume` goes on from there. */
  limit?: number;
  state: BackfillState;
  resume?: boolean;
  onProgress?: (done: number, total: number) => void;
  pageSize?: number;
  /** For tests: the clock of `created_at`. */
  now?: () => Date;
}

/** Paces starts to `rate` per second from the run's start (no burst after a slow page). */
function pacer(rate: number | undefined) {
  const started = Date.now();
  let count = 0;
  return async () => {
    count += 1;
    if (!rate) return;
    const due = started + (count * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
  };
}

interface KeyedRow {
  json: string;
  /** The primary key's columns and their values as text. */
  columns: string[];
  values: string[];
}

async function startRow(options: BackfillOptions, row: KeyedRow, counts: BackfillCounts) {
  const { table } = options;
  const keyRow = Object.fromEntries(row.columns.map((column, i) => [column, row.values[i]]));
  const id = backfillEventId(options.trigger, table, rowKeyOf(keyRow, row.columns));
  const json = row.json;
  const body = backfillBody(options.trigger, table, json, id, (options.now ?? (() => new Date()))());
  if (options.dryRun) return void (counts.wouldStart += 1);
  try {
    const result = await options.starter.start(body);
    if (result.ignored) counts.skipped += 1;
    else if (result.duplicate) counts.alreadyKnown += 1;
    else counts.started += 1;
  } catch (error) {
    if (!neverAccepted(error)) throw error;
    counts.skipped += 1;
  }
}

/**
 * One MANUAL event per existing row of the table (old null, new the row), in primary-key order, with a
 * deterministic event id: a second run, or a resumed one, starts nothing twice. The last key of each
 * page is saved after its rows are started, so an interrupted run resumes without a gap. A dry run
 * reads and counts, and neither starts nor saves anything.
 */
export async function backfill(options: BackfillOptions): Promise<BackfillCounts> {
  const counts: BackfillCounts = { rows: 0, started: 0, alreadyKnown: 0, skipped: 0, wouldStart: 0 };
  // The saved position first: a resume without one is the operator's error, before any database work.
  let after = options.resume ? options.state.load() : undefined;
  const key = await primaryKeyOf(options.pool, options.table);
  const remaining = await countRows(options.pool, options, key, after);
  const total = Math.min(remaining, options.limit ?? remaining);
  const pace = pacer(options.rate);
  options.onProgress?.(0, total);
  while (counts.rows < total) {
    const limit = Math.min(options.pageSize ?? 200, total - counts.rows);
    const { rows } = await readRows(options.pool, options, { key, after, limit });
    for (const row of rows) {
      await pace();
      await startRow(options, { json: row.json, columns: key, values: row.key }, counts);
      counts.rows += 1;
      options.onProgress?.(counts.rows, total);
    }
    if (rows.length === 0) break;
    after = rows[rows.length - 1].key;
    if (!options.dryRun) options.state.save(after);
  }
  return counts;
}
