import type { Pool } from './db-pool.js';

/** Result of the contract's DB sanity check (log 11). */
export interface SanityResult {
  lines: string[];
  /** READY copies without any page image: the P0 condition. */
  emptyReadyCopies: number;
}

/** Builds the exact lines Korrigo's sanity one-liner prints; READY copies in id order. */
export async function sanityReport(pool: Pool): Promise<SanityResult> {
  const counts = await pool.query<{ users: number; exams: number; copies: number; ready: number }>(`
    SELECT (SELECT count(*) FROM users)::int AS users,
           (SELECT count(*) FROM exams)::int AS exams,
           (SELECT count(*) FROM copies)::int AS copies,
           (SELECT count(*) FROM copies WHERE status = 'READY')::int AS ready`);
  const c = counts.rows[0]!;
  const lines = [`users: ${c.users}`, `exams: ${c.exams}`, `copies total: ${c.copies}`, `copies READY: ${c.ready}`];
  const ready = await pool.query<{ id: number; anonymous_id: string; booklets: number; pages: number }>(`
    SELECT c.id, c.anonymous_id,
           (SELECT count(*) FROM booklets b WHERE b.copy_id = c.id)::int AS booklets,
           (SELECT count(*) FROM pages p JOIN booklets b ON b.id = p.booklet_id WHERE b.copy_id = c.id)::int AS pages
      FROM copies c WHERE c.status = 'READY' ORDER BY c.id`);
  let emptyReadyCopies = 0;
  for (const row of ready.rows) {
    lines.push(`READY ${row.id} ${row.anonymous_id}: booklets=${row.booklets}, pages=${row.pages}`);
    if (row.pages === 0) emptyReadyCopies++;
  }
  return { lines, emptyReadyCopies };
}
