import { randomUUID } from 'node:crypto';
import { withTransaction } from '../db-pool.js';
import { buildPage, pageOutOfRange, parsePageNumber } from './pagination.js';
import { examSessionSql } from '../release.js';
import { HttpError, type RequestContext } from './request-context.js';

export const EXAMS_PAGE_SIZE = 20;
export const ANNOTATIONS_PAGE_SIZE = 50;
export const LOCK_TTL_SECONDS = 600;
export const ANNOTATION_TYPES = ['COMMENT', 'HIGHLIGHT', 'ERROR', 'BONUS'] as const;

function pageOrThrow(ctx: RequestContext, pageSize: number, count: number): number {
  const page = parsePageNumber(ctx.url);
  if (page === null || pageOutOfRange(page, pageSize, count)) throw new HttpError(404, { detail: 'Invalid page.' });
  return page;
}

async function requireCopy(ctx: RequestContext, copyId: number): Promise<{ id: number; status: string }> {
  const { rows } = await ctx.deps.pool.query<{ id: number; status: string }>(
    'SELECT id, status FROM copies WHERE id = $1',
    [copyId],
  );
  if (!rows[0]) throw new HttpError(404, { detail: 'Not found.' });
  return rows[0];
}

/** GET /api/exams/ */
export async function listExams(ctx: RequestContext): Promise<void> {
  if (ctx.deps.settings.faults.has('error-log')) {
    // error-log fault: the request succeeds but the backend logs a traceback, as a swallowed exception would.
    ctx.deps.log('ERROR exams.list: unexpected exception while computing copy statistics');
    ctx.deps.log('Traceback (most recent call last):');
    ctx.deps.log('  File "korrigo_lite/exams.py", line 42, in list_exams');
    ctx.deps.log('RuntimeError: copy statistics unavailable (KORRIGO_LITE_FAULT=error-log)');
  }
  ctx.requireGrader();
  const { pool } = ctx.deps;
  const total = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM exams')).rows[0]?.n ?? 0;
  const page = pageOrThrow(ctx, EXAMS_PAGE_SIZE, total);
  const { rows } = await pool.query(
    `SELECT e.id, e.name, to_char(e.exam_date, 'YYYY-MM-DD') AS date, e.description, ${examSessionSql(ctx.deps.settings.release, 'e')} AS session,
            (SELECT count(*) FROM copies c WHERE c.exam_id = e.id)::int AS copy_count
       FROM exams e ORDER BY e.id LIMIT $1 OFFSET $2`,
    [EXAMS_PAGE_SIZE, (page - 1) * EXAMS_PAGE_SIZE],
  );
  ctx.json(200, buildPage(ctx.url, page, EXAMS_PAGE_SIZE, total, rows));
}

/** GET /api/exams/<id>/copies/ */
export async function listCopies(ctx: RequestContext): Promise<void> {
  ctx.requireGrader();
  const { pool, settings } = ctx.deps;
  const examId = ctx.id();
  const exam = await pool.query('SELECT 1 FROM exams WHERE id = $1', [examId]);
  if (exam.rowCount === 0) throw new HttpError(404, { detail: 'Not found.' });
  const total =
    (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM copies WHERE exam_id = $1', [examId])).rows[0]
      ?.n ?? 0;
  const size = settings.copiesPageSize;
  const page = pageOrThrow(ctx, size, total);
  const { rows } = await pool.query(
    `SELECT c.id, c.exam_id AS exam, c.anonymous_id, c.status,
            (SELECT count(*) FROM booklets b WHERE b.copy_id = c.id)::int AS booklet_count,
            (SELECT count(*) FROM pages p JOIN booklets b ON b.id = p.booklet_id WHERE b.copy_id = c.id)::int AS page_count,
            (SELECT u.username FROM copy_locks l JOIN users u ON u.id = l.owner_id
              WHERE l.copy_id = c.id AND l.expires_at > now()) AS locked_by
       FROM copies c WHERE c.exam_id = $1 ORDER BY c.id LIMIT $2 OFFSET $3`,
    [examId, size, (page - 1) * size],
  );
  ctx.json(200, buildPage(ctx.url, page, size, total, rows));
}

interface LockRow {
  owner_id: number;
  owner: string;
  token: string;
  expires_at: Date;
  active: boolean;
}

/** POST /api/grading/copies/<id>/lock/: 201 new lock, 200 re-acquired by its owner, 409 held by someone else. */
export async function acquireLock(ctx: RequestContext): Promise<void> {
  const user = ctx.requireGrader();
  const copyId = ctx.id();
  await ctx.jsonBody();
  if (ctx.deps.settings.faults.has('lock-409')) {
    throw new HttpError(409, { detail: 'Copy is locked by another user.', owner: 'unknown' });
  }
  const outcome = await withTransaction(ctx.deps.pool, async (client) => {
    const copy = await client.query<{ status: string }>('SELECT status FROM copies WHERE id = $1 FOR UPDATE', [
      copyId,
    ]);
    const status = copy.rows[0]?.status;
    if (status === undefined) throw new HttpError(404, { detail: 'Not found.' });
    const held = await client.query<LockRow>(
      `SELECT l.owner_id, u.username AS owner, l.token, l.expires_at, l.expires_at > now() AS active
         FROM copy_locks l JOIN users u ON u.id = l.owner_id WHERE l.copy_id = $1`,
      [copyId],
    );
    const lock = held.rows[0];
    if (lock?.active && lock.owner_id !== user.id) {
      throw new HttpError(409, {
        detail: 'Copy is locked by another user.',
        owner: lock.owner,
        expires_at: lock.expires_at.toISOString(),
      });
    }
    if (status !== 'READY' && status !== 'LOCKED') {
      throw new HttpError(409, { detail: `Copy is ${status}; only READY copies can be locked.` });
    }
    if (lock?.active) {
      const renewed = await client.query<{ expires_at: Date }>(
        `UPDATE copy_locks SET expires_at = now() + make_interval(secs => $2) WHERE copy_id = $1 RETURNING expires_at`,
        [copyId, LOCK_TTL_SECONDS],
      );
      return { status: 200, token: lock.token, expiresAt: renewed.rows[0]!.expires_at };
    }
    const token = randomUUID();
    await client.query('DELETE FROM copy_locks WHERE copy_id = $1', [copyId]);
    const created = await client.query<{ expires_at: Date }>(
      `INSERT INTO copy_locks (copy_id, owner_id, token, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4)) RETURNING expires_at`,
      [copyId, user.id, token, LOCK_TTL_SECONDS],
    );
    await client.query(`UPDATE copies SET status = 'LOCKED' WHERE id = $1`, [copyId]);
    return { status: 201, token, expiresAt: created.rows[0]!.expires_at };
  });
  ctx.json(outcome.status, {
    copy_id: copyId,
    status: 'LOCKED',
    token: outcome.token,
    owner: user.username,
    expires_at: outcome.expiresAt.toISOString(),
    server_time: new Date().toISOString(),
  });
}

/** The X-Lock-Token must name a live lock of this user on this copy. */
async function requireLockToken(ctx: RequestContext, copyId: number, userId: number): Promise<string> {
  const token = ctx.header('x-lock-token');
  if (!token) throw new HttpError(403, { detail: 'Missing lock token.' });
  const { rows } = await ctx.deps.pool.query<{ owner_id: number; active: boolean }>(
    'SELECT owner_id, expires_at > now() AS active FROM copy_locks WHERE copy_id = $1 AND token = $2',
    [copyId, token],
  );
  const lock = rows[0];
  if (!lock || lock.owner_id !== userId) throw new HttpError(409, { detail: 'Invalid lock token.' });
  if (!lock.active) throw new HttpError(409, { detail: 'Lock expired.' });
  return token;
}

/** DELETE /api/grading/copies/<id>/lock/release/ */
export async function releaseLock(ctx: RequestContext): Promise<void> {
  const user = ctx.requireGrader();
  const copyId = ctx.id();
  await requireCopy(ctx, copyId);
  const token = await requireLockToken(ctx, copyId, user.id);
  await withTransaction(ctx.deps.pool, async (client) => {
    await client.query('DELETE FROM copy_locks WHERE copy_id = $1 AND token = $2', [copyId, token]);
    await client.query(`UPDATE copies SET status = 'READY' WHERE id = $1 AND status = 'LOCKED'`, [copyId]);
  });
  ctx.empty(204);
}

function unitInterval(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;
}

/** Field errors DRF-style ({field: [message]}), or null when the payload is valid. */
export function annotationErrors(body: Record<string, unknown>): Record<string, string[]> | null {
  const errors: Record<string, string[]> = {};
  const pageIndex = body['page_index'];
  if (typeof pageIndex !== 'number' || !Number.isInteger(pageIndex) || pageIndex < 0) {
    errors['page_index'] = ['A non-negative integer is required.'];
  }
  for (const field of ['x', 'y', 'w', 'h'] as const) {
    if (!unitInterval(body[field])) errors[field] = ['Ensure this value is a number between 0 and 1.'];
  }
  const { x, y, w, h } = body;
  if (!errors['x'] && !errors['w'] && (x as number) + (w as number) > 1) {
    errors['w'] = ['x + w must not exceed 1.'];
  }
  if (!errors['y'] && !errors['h'] && (y as number) + (h as number) > 1) {
    errors['h'] = ['y + h must not exceed 1.'];
  }
  const type = body['type'] ?? 'COMMENT';
  if (typeof type !== 'string' || !(ANNOTATION_TYPES as readonly string[]).includes(type)) {
    errors['type'] = [`"${String(type)}" is not a valid choice.`];
  }
  const content = body['content'] ?? '';
  if (typeof content !== 'string' || content.length > 2000) {
    errors['content'] = ['A string of at most 2000 characters is required.'];
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

const ANNOTATION_COLUMNS = `a.id, a.copy_id AS copy, a.page_index, a.x, a.y, a.w, a.h, a.type, a.content,
  u.username AS created_by, a.created_at`;

/**
 * POST /api/grading/copies/<id>/annotations/. v1 needs the X-Lock-Token of a live lock; the current
 * Korrigo has no locks (any X-Lock-Token is ignored) and takes annotations on a READY copy.
 */
export async function createAnnotation(ctx: RequestContext): Promise<void> {
  const user = ctx.requireGrader();
  const copyId = ctx.id();
  const copy = await requireCopy(ctx, copyId);
  if (ctx.deps.settings.generation === 'v1') {
    await requireLockToken(ctx, copyId, user.id);
  } else if (copy.status !== 'READY' && copy.status !== 'LOCKED') {
    // LOCKED can only be left over from a v1 run on the same database; it is still gradable.
    throw new HttpError(409, { detail: `Copy is ${copy.status}; only READY copies can be annotated.` });
  }
  const body = await ctx.jsonBody();
  if (ctx.deps.settings.faults.has('annotation-400')) {
    throw new HttpError(400, { detail: 'Invalid annotation.' });
  }
  const errors = annotationErrors(body);
  if (errors) throw new HttpError(400, errors);
  const pageIndex = body['page_index'] as number;
  const pages =
    (
      await ctx.deps.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pages p JOIN booklets b ON b.id = p.booklet_id WHERE b.copy_id = $1',
        [copyId],
      )
    ).rows[0]?.n ?? 0;
  if (pageIndex >= pages) {
    // Korrigo's P0: a READY copy whose booklet has no page images cannot be annotated.
    throw new HttpError(400, { page_index: [`Page ${pageIndex} does not exist: the copy has ${pages} page(s).`] });
  }
  const inserted = await ctx.deps.pool.query<{ id: number }>(
    `INSERT INTO annotations (copy_id, page_index, x, y, w, h, type, content, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [copyId, pageIndex, body['x'], body['y'], body['w'], body['h'], body['type'] ?? 'COMMENT', body['content'] ?? '', user.id],
  );
  const { rows } = await ctx.deps.pool.query(
    `SELECT ${ANNOTATION_COLUMNS} FROM annotations a LEFT JOIN users u ON u.id = a.created_by WHERE a.id = $1`,
    [inserted.rows[0]!.id],
  );
  ctx.json(201, rows[0]);
}

/** GET /api/grading/copies/<id>/annotations/ */
export async function listAnnotations(ctx: RequestContext): Promise<void> {
  ctx.requireGrader();
  const copyId = ctx.id();
  await requireCopy(ctx, copyId);
  const { pool } = ctx.deps;
  const total =
    (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM annotations WHERE copy_id = $1', [copyId]))
      .rows[0]?.n ?? 0;
  const page = pageOrThrow(ctx, ANNOTATIONS_PAGE_SIZE, total);
  const { rows } = await pool.query(
    `SELECT ${ANNOTATION_COLUMNS} FROM annotations a LEFT JOIN users u ON u.id = a.created_by
      WHERE a.copy_id = $1 ORDER BY a.id LIMIT $2 OFFSET $3`,
    [copyId, ANNOTATIONS_PAGE_SIZE, (page - 1) * ANNOTATIONS_PAGE_SIZE],
  );
  ctx.json(200, buildPage(ctx.url, page, ANNOTATIONS_PAGE_SIZE, total, rows));
}
