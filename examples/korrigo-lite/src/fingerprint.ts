import { createHash } from 'node:crypto';
import type { Pool } from './db-pool.js';
import { CANDIDATE_RELEASE, examSessionSql, type Release } from './release.js';

/** Digest of the seeded data only, so two seed runs can be compared. */
export interface Fingerprint {
  digest: string;
  counts: { users: number; exams: number; copies: number; booklets: number; pages: number };
}

/**
 * Hashes natural keys (usernames, anonymous ids, page checksums), never serial ids,
 * timestamps, password hashes, sessions, locks or annotations: those change without
 * the seed being at fault.
 *
 * The exam's session is read as the release stores it (v1: derived from the date, v2: its
 * column), so an upgrade that backfills it right leaves the fingerprint unchanged.
 */
export async function computeFingerprint(pool: Pool, release: Release = CANDIDATE_RELEASE): Promise<Fingerprint> {
  const hash = createHash('sha256');
  const section = async (name: string, sql: string): Promise<number> => {
    const { rows } = await pool.query<Record<string, unknown>>(sql);
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
  return { digest: hash.digest('hex'), counts: { users, exams, copies, booklets, pages } };
}
