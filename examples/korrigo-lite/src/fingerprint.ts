import { createHash } from 'node:crypto';
import { withTransaction, type Pool } from './db-pool.js';
import { CommandFailure } from './errors.js';
import { CANDIDATE_RELEASE, examSessionSql, type Release } from './release.js';

/** Digest of the kept data, so two seed runs, the live data and a restored copy, or the data before and after an upgrade, can be compared. */
export interface Fingerprint {
  digest: string;
  counts: { users: number; exams: number; copies: number; booklets: number; pages: number; annotations: number; migrations?: number };
}

export interface FingerprintOptions {
  /** How the exam's session is read: as this release stores it (v1: derived from the date, v2: its column). */
  release?: Release;
  /** KORRIGO_LITE_DB_SCHEMA: read a restored copy instead of the live data. */
  schema?: string | undefined;
  /**
   * The applied migrations are part of the digest (default): a backup must hold them. `false`
   * (`fingerprint --data`): the data alone, what an upgrade must keep while it adds migrations.
   */
  migrations?: boolean;
}

/**
 * Hashes natural keys (usernames, anonymous ids, page checksums), never serial ids,
 * timestamps, password hashes, sessions, locks or jobs: those change without the seed being
 * at fault, and a restore need not keep them. Annotations and applied migrations are kept
 * data: the seed never writes them (so its idempotence is unaffected), a backup must hold them.
 * The exam's session is read as the release stores it, so an upgrade that backfills it right
 * leaves the data's fingerprint unchanged. With a schema, the search path is set for this
 * read-only transaction alone (PGlite shares one session between connections).
 */
export async function computeFingerprint(pool: Pool, options: FingerprintOptions = {}): Promise<Fingerprint> {
  const { release = CANDIDATE_RELEASE, schema, migrations: withMigrations = true } = options;
  return withTransaction(pool, async (client) => {
    if (schema !== undefined) {
      const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (found.rowCount === 0) throw new CommandFailure(`fingerprint: schema "${schema}" does not exist (KORRIGO_LITE_DB_SCHEMA)`);
      await client.query(`SET LOCAL search_path TO "${schema}"`);
    }
    const hash = createHash('sha256');
    const section = async (name: string, sql: string): Promise<number> => {
      const { rows } = await client.query<Record<string, unknown>>(sql);
      hash.update(`[${name}]\n`);
      for (const row of rows) hash.update(`${JSON.stringify(Object.values(row))}\n`);
      return rows.length;
    };
    const users = await section('users', 'SELECT username, role, is_active FROM users ORDER BY username');
    const exams = await section('exams', `SELECT e.name, to_char(e.exam_date, 'YYYY-MM-DD') AS d, e.description, ${examSessionSql(release, 'e')} AS session FROM exams e ORDER BY e.name`);
    const copies = await section(
      'copies',
      `SELECT e.name, c.anonymous_id, c.status, u.username
         FROM copies c JOIN exams e ON e.id = c.exam_id LEFT JOIN users u ON u.id = c.student_id
        ORDER BY c.anonymous_id`,
    );
    const booklets = await section(
      'booklets',
      'SELECT c.anonymous_id, b.position FROM booklets b JOIN copies c ON c.id = b.copy_id ORDER BY 1, 2',
    );
    const pages = await section(
      'pages',
      `SELECT c.anonymous_id, b.position, p.page_index, p.image_path, p.sha256, p.width, p.height
         FROM pages p JOIN booklets b ON b.id = p.booklet_id JOIN copies c ON c.id = b.copy_id
        ORDER BY 1, 2, 3`,
    );
    const annotations = await section(
      'annotations',
      `SELECT c.anonymous_id, a.page_index, a.x, a.y, a.w, a.h, a.type, a.content, u.username
         FROM annotations a JOIN copies c ON c.id = a.copy_id LEFT JOIN users u ON u.id = a.created_by
        ORDER BY 1, 2, 8, 3, 4, 5, 6, 7, 9`,
    );
    const counts: Fingerprint['counts'] = { users, exams, copies, booklets, pages, annotations };
    if (withMigrations) counts.migrations = await section('migrations', 'SELECT version, name FROM schema_migrations ORDER BY version');
    return { digest: hash.digest('hex'), counts };
  });
}
