import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/**
 * A small pool: the embedded PGlite server runs one query at a time and holds other
 * connections while a transaction is open, so more connections would only queue.
 */
export function createPool(databaseUrl: string, max = 3): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', (err) => {
    console.warn(`WARNING database connection lost: ${err.message}`);
  });
  return pool;
}

/** Runs fn inside BEGIN/COMMIT on one client; keep fn short and never touch another connection in it. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
