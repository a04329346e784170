import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, type PoolClient } from 'pg';
import { startPostgres } from '../../postgres/server';

/** One change as Hasura's trigger recorded it: `row_to_json` images and the transaction's NOW(). */
export interface CapturedChange {
  /** The order the database made the changes in (a sequence taken inside the trigger). */
  seq: number;
  id: string;
  op: 'INSERT' | 'UPDATE' | 'DELETE';
  /** `row_to_json` text: a bigint key past 2^53 is a JSON number with every digit. */
  old: string | null;
  new: string | null;
  /** Hasura's `created_at`: `timestamp DEFAULT now()`, the transaction's start, no zone (UTC server). */
  createdAt: string;
}

/** The row's key as text, and its final image (`row_to_json`), or absent when the row ended deleted. */
export interface RowHistory {
  key: string;
  finalRow?: string;
}

export interface CapturedHistories {
  changes: CapturedChange[];
  rows: RowHistory[];
}

// Hasura's own trigger writes row_to_json(OLD/NEW) and takes created_at from NOW(): this one does the same.
const SCHEMA = `
  SET TIME ZONE 'UTC';
  CREATE TABLE incident_request (id bigint PRIMARY KEY, title text NOT NULL, description text, priority text);
  CREATE TABLE event_log (
    seq bigserial PRIMARY KEY, id uuid NOT NULL DEFAULT gen_random_uuid(), op text NOT NULL,
    old json, new json, created_at timestamp NOT NULL DEFAULT now());
  CREATE FUNCTION capture() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
    INSERT INTO event_log (op, old, new) VALUES (TG_OP,
      CASE WHEN TG_OP <> 'INSERT' THEN row_to_json(OLD) END, CASE WHEN TG_OP <> 'DELETE' THEN row_to_json(NEW) END);
    RETURN NULL;
  END $$;
  CREATE TRIGGER capture AFTER INSERT OR UPDATE OR DELETE ON incident_request
    FOR EACH ROW EXECUTE FUNCTION capture();`;

const PRIORITIES = ['low', 'medium', 'high', 'critical'];

/** Half the keys past 2^53, neighbours a double cannot tell apart; the others small. */
export const rowKey = (index: number): string =>
  index % 2 ? String(1000 + index) : String(2n ** 53n + 1n + BigInt(index));

/** Writes one row's life in a transaction pattern chosen by `index`; `updates` = the many-updates row's count. */
async function live(pool: Pool, index: number, updates: number): Promise<void> {
  const key = rowKey(index);
  let version = 0;
  const set = (client: PoolClient | Pool) =>
    client.query('UPDATE incident_request SET title = $2, priority = $3, description = $4 WHERE id = $1', [
      key,
      `Row ${index} v${++version}`,
      PRIORITIES[version % PRIORITIES.length],
      `change ${version}`,
    ]);
  const insert = (client: PoolClient | Pool, life: string) =>
    client.query('INSERT INTO incident_request VALUES ($1, $2, $3, $4)', [key, `Row ${index} ${life}`, 'low', life]);
  const remove = (client: PoolClient | Pool) => client.query('DELETE FROM incident_request WHERE id = $1', [key]);
  const inTransaction = async (work: (client: PoolClient) => Promise<unknown>) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };
  switch (index % 6) {
    case 0: // INSERT and UPDATE in one transaction (one created_at), then more updates
      await inTransaction(async (c) => (await insert(c, 'born'), await set(c)));
      return void (await set(pool), await set(pool));
    case 1: // UPDATE and DELETE in one transaction
      await insert(pool, 'born');
      return inTransaction(async (c) => (await set(c), await remove(c)));
    case 2:
      await insert(pool, 'born');
      return beganFirstWroteLast(pool, set);
    case 3: // DELETE, then the same key inserted again: a second life
      await insert(pool, 'born');
      await set(pool);
      await remove(pool);
      await insert(pool, 'reborn');
      return void (await set(pool));
    case 4: // many updates
      await insert(pool, 'born');
      for (let n = 0; n < updates; n += 1) await set(pool);
      return;
    default:
      await insert(pool, 'born');
      await set(pool);
      return void (await remove(pool));
  }
}

/** A transaction that began first (earlier NOW()) but wrote last: its UPDATE waits behind the other's. */
async function beganFirstWroteLast(pool: Pool, set: (client: PoolClient) => Promise<unknown>): Promise<void> {
  const first = await pool.connect();
  const second = await pool.connect();
  try {
    await first.query('BEGIN');
    await first.query('SELECT now()');
    await sleep(5);
    await second.query('BEGIN');
    await set(second);
    await second.query('COMMIT');
    await set(first);
    await first.query('COMMIT');
  } finally {
    first.release();
    second.release();
  }
}

/**
 * Runs `rows` rows' lives against a real PostgreSQL (dev/postgres/server.ts) with a Hasura-style capture
 * trigger, and returns what the trigger recorded plus each row's final state.
 */
export async function captureRowHistories(rows: number, updates: number): Promise<CapturedHistories> {
  const postgres = await startPostgres({ settings: { timezone: 'UTC' } });
  const pool = new Pool({ connectionString: postgres.url(), max: 4 });
  // An idle connection the server's shutdown cuts reports it here; the histories are read by then.
  pool.on('error', () => undefined);
  try {
    await pool.query(SCHEMA);
    for (let index = 0; index < rows; index += 1) await live(pool, index, updates);
    const log = await pool.query(
      `SELECT seq, id, op, old::text AS old, new::text AS new,
              to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS created_at FROM event_log ORDER BY seq`,
    );
    const final = await pool.query('SELECT id::text AS key, row_to_json(t)::text AS row FROM incident_request t');
    const present = new Map(final.rows.map((r: { key: string; row: string }) => [r.key, r.row]));
    const changes: CapturedChange[] = log.rows.map((r) => ({
      seq: Number(r.seq),
      id: r.id,
      op: r.op,
      old: r.old,
      new: r.new,
      createdAt: r.created_at,
    }));
    const keys = Array.from({ length: rows }, (_, index) => rowKey(index));
    return { changes, rows: keys.map((key) => ({ key, finalRow: present.get(key) })) };
  } finally {
    await pool.end();
    await postgres.stop();
  }
}
