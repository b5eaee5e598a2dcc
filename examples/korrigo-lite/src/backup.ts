import type { Pool, PoolClient } from './db-pool.js';
import { withTransaction } from './db-pool.js';
import { CommandFailure, UsageError } from './errors.js';
import type { FaultName } from './faults.js';
import { MIGRATIONS } from './migrations.js';
import { SCHEMA_MIGRATIONS_DDL } from './migrator.js';

/**
 * korrigo-lite's own backup and restore (there is no pg_dump beside PGlite): every table's rows,
 * serialised by PostgreSQL itself (`row_to_json`, so dates and numbers keep their exact text),
 * in foreign-key order; the restore recreates a schema with the migrations the backup names and
 * loads the rows back, so `fingerprint` can compare the copy with the live data.
 */
export interface Backup {
  format: typeof BACKUP_FORMAT;
  /** The schema the rows came from. */
  schema: string;
  /** Migration versions applied in the source (also in the `schema_migrations` rows). */
  migrations: string[];
  /** Parents before children: a restore loads them in this order. */
  tables: { name: string; rows: unknown[] }[];
}

export const BACKUP_FORMAT = 'korrigo-lite-backup/1';

/** Tables in dependency order: a table after every table it references (ties alphabetical). */
export function dependencyOrder(tables: readonly string[], references: readonly { child: string; parent: string }[]): string[] {
  const left = new Set(tables);
  const order: string[] = [];
  while (left.size > 0) {
    const ready = [...left].sort().find((t) => !references.some((r) => r.child === t && r.parent !== t && left.has(r.parent)));
    if (ready === undefined) throw new CommandFailure(`backup: foreign keys form a cycle among ${[...left].sort().join(', ')}`);
    order.push(ready);
    left.delete(ready);
  }
  return order;
}

async function tablesOf(client: PoolClient, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = $1", [schema]);
  const refs = await client.query<{ child: string; parent: string }>(
    `SELECT ch.relname AS child, pa.relname AS parent
       FROM pg_constraint c JOIN pg_class ch ON ch.oid = c.conrelid JOIN pg_class pa ON pa.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = ch.relnamespace
      WHERE c.contype = 'f' AND n.nspname = $1`,
    [schema],
  );
  return dependencyOrder(rows.map((r) => r.name), refs.rows);
}

/**
 * Reads every table of `schema` in one transaction (one consistent snapshot). The fault
 * `restore-differs` leaves the `pages` table out, silently, as a backup script that lists its
 * tables by hand and forgot one would.
 */
export async function takeBackup(pool: Pool, schema: string, faults: ReadonlySet<FaultName>): Promise<Backup> {
  return withTransaction(pool, async (client) => {
    const tables: Backup['tables'] = [];
    for (const name of await tablesOf(client, schema)) {
      if (name === 'pages' && faults.has('restore-differs')) continue;
      const { rows } = await client.query<{ r: string }>(`SELECT row_to_json(t)::text AS r FROM "${schema}"."${name}" t`);
      tables.push({ name, rows: rows.map((row) => JSON.parse(row.r) as unknown) });
    }
    const migrations = tables.find((t) => t.name === 'schema_migrations')?.rows.map((r) => String((r as { version: unknown }).version)) ?? [];
    return { format: BACKUP_FORMAT, schema, migrations: migrations.sort(), tables };
  });
}

/** Reads a backup file's text, refusing anything that is not one. */
export function parseBackup(text: string, where: string): Backup {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CommandFailure(`restore: ${where} is not a backup (not JSON: ${(err as Error).message})`);
  }
  const backup = value as Partial<Backup> | null;
  if (backup?.format !== BACKUP_FORMAT || !Array.isArray(backup.tables) || !Array.isArray(backup.migrations)) {
    throw new CommandFailure(`restore: ${where} is not a ${BACKUP_FORMAT} file`);
  }
  return backup as Backup;
}

/**
 * Restores into `schema` (dropped first when it exists; never `public`, the live data), in one
 * transaction: the migrations the backup was taken at, then the rows, then the id sequences.
 * The search path is set for this transaction only: PGlite serves every connection from one
 * session, so a session-wide SET would move the running backend to the copy.
 */
export async function restoreBackup(pool: Pool, backup: Backup, schema: string): Promise<{ tables: number; rows: number }> {
  if (schema === 'public' || schema === backup.schema) throw new UsageError(`restore: --schema ${schema} is the live data; restore into a throwaway schema`);
  const known = new Set(MIGRATIONS.map((m) => m.version));
  const unknown = backup.migrations.filter((v) => !known.has(v));
  if (unknown.length > 0) throw new CommandFailure(`restore: the backup has migrations this release does not know (${unknown.join(', ')})`);
  return withTransaction(pool, async (client) => {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(`SET LOCAL search_path TO "${schema}"`);
    for (const migration of MIGRATIONS.filter((m) => backup.migrations.includes(m.version))) await client.query(migration.sql);
    await client.query(SCHEMA_MIGRATIONS_DDL);
    let rows = 0;
    for (const table of backup.tables) {
      if (table.rows.length === 0) continue;
      await client.query(`INSERT INTO "${table.name}" SELECT * FROM json_populate_recordset(NULL::"${table.name}", $1::json)`, [JSON.stringify(table.rows)]);
      rows += table.rows.length;
    }
    // New rows in the copy must not collide with restored ids.
    const serials = await client.query<{ t: string; c: string }>(
      "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = $1 AND column_default LIKE 'nextval(%'",
      [schema],
    );
    for (const { t, c } of serials.rows) {
      await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX("${c}") FROM "${t}"), 0) + 1, false)`, [`"${schema}"."${t}"`, c]);
    }
    return { tables: backup.tables.length, rows };
  });
}

/** Drops a throwaway schema (the restore drill's cleanup); never `public`. */
export async function dropSchema(pool: Pool, schema: string): Promise<boolean> {
  if (schema === 'public') throw new UsageError('drop-schema: refusing to drop public, the live data');
  const { rows } = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  return rows.length > 0;
}
