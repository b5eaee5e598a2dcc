import type { Pool } from './db-pool.js';
import { MIGRATIONS, type Migration } from './migrations.js';

const MIGRATION_LOCK_ID = 4_242_001;

/** The table recording applied migrations (a restore recreates it too). */
export const SCHEMA_MIGRATIONS_DDL = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version text PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`;

/** Applies MIGRATIONS in order and records each in schema_migrations. */
export class Migrator {
  constructor(
    private readonly pool: Pool,
    private readonly migrations: readonly Migration[] = MIGRATIONS,
  ) {}

  async ensureTable(): Promise<void> {
    await this.pool.query(SCHEMA_MIGRATIONS_DDL);
  }

  async pending(): Promise<Migration[]> {
    await this.ensureTable();
    const { rows } = await this.pool.query<{ version: string }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    return this.migrations.filter((m) => !applied.has(m.version));
  }

  /** Applies one migration; returns false when another process applied it meanwhile. */
  async apply(migration: Migration): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Serialises concurrent `migrate` runs; the re-check below makes the loser a no-op.
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
      const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (done.rowCount !== 0) {
        await client.query('ROLLBACK');
        return false;
      }
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      await client.query('COMMIT');
      return true;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new Error(`Migration ${migration.version}_${migration.name} failed: ${(err as Error).message}`, {
        cause: err,
      });
    } finally {
      client.release();
    }
  }
}
