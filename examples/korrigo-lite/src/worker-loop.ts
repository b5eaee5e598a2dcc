import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from './db-pool.js';
import { renderPageImage } from './page-renderer.js';

/** Outcome of one job, stored in jobs.result. */
export interface JobOutcome {
  id: number;
  kind: string;
  status: 'DONE' | 'FAILED';
  result: string;
}

const LOCK_SWEEP_EVERY_MS = 30_000;

/**
 * The background worker (Korrigo's celery): claims queued jobs one at a time and checks
 * each page image of a copy against its recorded sha256, re-rendering lost files.
 * It also releases expired grading locks.
 */
export class WorkerLoop {
  private lastSweep = 0;

  constructor(
    private readonly pool: Pool,
    private readonly mediaRoot: string,
    private readonly log: (line: string) => void,
    private readonly pollMs = 1000,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    this.log(`INFO worker started (poll every ${this.pollMs}ms, media ${this.mediaRoot})`);
    while (!signal.aborted) {
      let idle = true;
      try {
        await this.sweepExpiredLocks();
        idle = (await this.runOnce()) === null;
      } catch (err) {
        // The database may still be starting (compose starts the worker alongside it): retry.
        this.log(`WARNING database not reachable (${(err as Error).message}); retrying in ${this.pollMs}ms`);
      }
      if (idle) await sleep(this.pollMs, undefined, { signal }).catch(() => undefined);
    }
    this.log('INFO worker stopped');
  }

  /** Claims and runs the oldest queued job; null when the queue is empty. */
  async runOnce(): Promise<JobOutcome | null> {
    const claimed = await this.pool.query<{ id: number; kind: string; copy_id: number | null }>(
      `UPDATE jobs SET status = 'RUNNING', attempts = attempts + 1, updated_at = now()
        WHERE id = (SELECT id FROM jobs WHERE status = 'QUEUED' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id, kind, copy_id`,
    );
    const job = claimed.rows[0];
    if (!job) return null;
    const started = Date.now();
    let status: JobOutcome['status'] = 'FAILED';
    let result: string;
    try {
      if (job.kind === 'check-pages' && job.copy_id !== null) {
        const check = await this.checkPages(job.copy_id);
        status = check.missing === 0 ? 'DONE' : 'FAILED';
        result = `copy=${job.copy_id} pages=${check.pages} ok=${check.ok} repaired=${check.repaired} missing=${check.missing}`;
      } else {
        result = `unknown job kind "${job.kind}"`;
      }
    } catch (err) {
      result = `exception: ${(err as Error).message}`;
    }
    await this.pool.query(`UPDATE jobs SET status = $2, result = $3, updated_at = now() WHERE id = $1`, [
      job.id,
      status,
      result,
    ]);
    const level = status === 'DONE' ? 'INFO' : 'WARNING';
    this.log(`${level} job ${job.id} ${job.kind} ${result} -> ${status} in ${Date.now() - started}ms`);
    return { id: job.id, kind: job.kind, status, result };
  }

  private async checkPages(copyId: number): Promise<{ pages: number; ok: number; repaired: number; missing: number }> {
    const { rows } = await this.pool.query<{ anonymous_id: string; page_index: number; image_path: string; sha256: string }>(
      `SELECT c.anonymous_id, p.page_index, p.image_path, p.sha256
         FROM pages p JOIN booklets b ON b.id = p.booklet_id JOIN copies c ON c.id = b.copy_id
        WHERE c.id = $1 ORDER BY b.position, p.page_index`,
      [copyId],
    );
    let ok = 0;
    let repaired = 0;
    let missing = 0;
    for (const page of rows) {
      const path = join(this.mediaRoot, page.image_path);
      const current = await readFile(path).catch(() => null);
      if (current && sha256(current) === page.sha256) {
        ok++;
        continue;
      }
      // The scan is gone or damaged: re-render it when the renderer reproduces the recorded bytes.
      const rendered = renderPageImage(page.anonymous_id, page.page_index);
      if (sha256(rendered) === page.sha256) {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, rendered);
        repaired++;
      } else {
        missing++;
      }
    }
    return { pages: rows.length, ok, repaired, missing };
  }

  private async sweepExpiredLocks(): Promise<void> {
    if (Date.now() - this.lastSweep < LOCK_SWEEP_EVERY_MS) return;
    this.lastSweep = Date.now();
    const { rowCount } = await this.pool.query(
      `WITH expired AS (DELETE FROM copy_locks WHERE expires_at < now() RETURNING copy_id)
       UPDATE copies SET status = 'READY' WHERE status = 'LOCKED' AND id IN (SELECT copy_id FROM expired)`,
    );
    if (rowCount) this.log(`INFO released ${rowCount} expired lock(s)`);
  }
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
