import { Pool } from 'pg';
// The launcher lives in dev/postgres (the lifecycle chaos run uses it too); the tests keep this path.
export * from '../../dev/postgres/server';

/** A test's pool on `url`. pool.end() resolves before its sockets close: pg.stop() may end one (57P01) unhandled. */
export function testPool(url: string): Pool {
  const pool = new Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  return pool;
}
