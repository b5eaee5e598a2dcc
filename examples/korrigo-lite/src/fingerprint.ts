import { createHash } from 'node:crypto';
import type { Pool } from './db-pool.js';

/** Digest of the seeded data only, so two seed runs can be compared. */
export interface Fingerprint {
  digest: string;
  counts: { users: number; exams: number; copies: number; booklets: number; pages: number };
}

/**
 * Hashes natural keys (usernames, anonymous ids, page checksums), never serial ids,
 * timestamps, password hashes, sessions, locks or annotations: those change without
 * the seed being at fault.
 */
export async function computeFingerprint(pool: Pool): Promise<Fingerprint> {
  const hash = createHash('sha256');
  const section = async (name: string, sql: string): Promise<number> => {
    const { rows } = await pool.query<Record<string, unknown>>(sql);
    hash.update(`[${name}]\n`);
    for (const row of rows) hash.update(`${JSON.stringify(Object.values(row))}\n`);
    return rows.length;
  };
  const users = await section('users', 'SELECT username, role, is_active FROM users ORDER BY username');
  const exams = await section('exams', `SELECT name, to_char(exam_date, 'YYYY-MM-DD') AS d, description FROM exams ORDER BY name`);
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
