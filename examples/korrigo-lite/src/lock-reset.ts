import { withTransaction, type Pool } from './db-pool.js';

/** The gate's reset between E2E runs: drop every lock, LOCKED copies back to READY. */
export async function resetLocks(pool: Pool): Promise<{ locks: number; copies: number }> {
  return withTransaction(pool, async (client) => {
    const locks = await client.query('DELETE FROM copy_locks');
    const copies = await client.query(`UPDATE copies SET status = 'READY' WHERE status = 'LOCKED'`);
    return { locks: locks.rowCount ?? 0, copies: copies.rowCount ?? 0 };
  });
}
