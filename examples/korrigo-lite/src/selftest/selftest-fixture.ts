import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { createPool, type Pool } from '../db-pool.js';
import { createAppServer } from '../http/app-server.js';
import { createLoginThrottle } from '../http/login-throttle.js';
import { MetricsRegistry } from '../http/metrics-registry.js';
import { PAGE_HEIGHT, PAGE_WIDTH, renderPageImage } from '../page-renderer.js';
import { hashPassword } from '../password-hasher.js';
import { DEFAULT_DATABASE_URL, loadSettings } from '../settings.js';

export const SELFTEST_PASSWORD = 'selftest-password';
export const SELFTEST_METRICS_TOKEN = 'selftest-metrics-token';

/**
 * The backend suite's own rows (two teachers, one exam, a READY copy with 2 pages and a
 * READY copy with none) and an in-process backend on a free port. Everything is named with
 * a random suffix and deleted afterwards, so the seeded data is never touched.
 */
export class SelftestFixture {
  readonly suffix = randomBytes(4).toString('hex');
  baseUrl = '';
  examId = 0;
  pagedCopyId = 0;
  emptyCopyId = 0;
  readonly teacherA = `selftest-${this.suffix}-a`;
  readonly teacherB = `selftest-${this.suffix}-b`;
  private readonly pool: Pool;
  private server: Server | undefined;
  private mediaRoot = '';

  constructor() {
    this.pool = createPool(process.env['DATABASE_URL'] || DEFAULT_DATABASE_URL, 3);
  }

  get db(): Pool {
    return this.pool;
  }

  async setUp(): Promise<void> {
    this.mediaRoot = await mkdtemp(join(tmpdir(), 'korrigo-selftest-'));
    const hash = await hashPassword(SELFTEST_PASSWORD);
    for (const username of [this.teacherA, this.teacherB]) {
      await this.pool.query(`INSERT INTO users (username, password_hash, role) VALUES ($1, $2, 'TEACHER')`, [
        username,
        hash,
      ]);
    }
    // v1 has no session column (it derives the session from the date); v2 requires it.
    const exam = await this.pool.query<{ id: number }>(
      loadSettings().release === 'v1'
        ? `INSERT INTO exams (name, exam_date) VALUES ($1, '2025-01-01') RETURNING id`
        : `INSERT INTO exams (name, exam_date, session) VALUES ($1, '2025-01-01', '2025') RETURNING id`,
      [`selftest-${this.suffix}`],
    );
    this.examId = exam.rows[0]!.id;
    this.pagedCopyId = await this.addCopy('P', 2);
    this.emptyCopyId = await this.addCopy('E', 0);
    const settings = {
      ...loadSettings(),
      mediaRoot: this.mediaRoot,
      copiesPageSize: 1,
      metricsToken: SELFTEST_METRICS_TOKEN,
      redisUrl: undefined,
    };
    this.server = createAppServer({
      pool: this.pool,
      settings,
      throttle: createLoginThrottle(undefined),
      metrics: new MetricsRegistry(),
      log: () => undefined,
    });
    await new Promise<void>((resolveListen) => this.server!.listen(0, '127.0.0.1', resolveListen));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async addCopy(tag: string, pages: number): Promise<number> {
    const anonymousId = `ST-${this.suffix}-${tag}`;
    const copy = await this.pool.query<{ id: number }>(
      `INSERT INTO copies (exam_id, anonymous_id, status) VALUES ($1, $2, 'READY') RETURNING id`,
      [this.examId, anonymousId],
    );
    const copyId = copy.rows[0]!.id;
    const booklet = await this.pool.query<{ id: number }>(
      'INSERT INTO booklets (copy_id, position) VALUES ($1, 1) RETURNING id',
      [copyId],
    );
    for (let i = 0; i < pages; i++) {
      const png = renderPageImage(anonymousId, i);
      const rel = `copies/${anonymousId}/page-${i + 1}.png`;
      await mkdir(join(this.mediaRoot, 'copies', anonymousId), { recursive: true });
      await writeFile(join(this.mediaRoot, rel), png);
      await this.pool.query(
        `INSERT INTO pages (booklet_id, page_index, image_path, sha256, width, height) VALUES ($1, $2, $3, $4, $5, $6)`,
        [booklet.rows[0]!.id, i, rel, createHash('sha256').update(png).digest('hex'), PAGE_WIDTH, PAGE_HEIGHT],
      );
    }
    return copyId;
  }

  async tearDown(): Promise<void> {
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolveClose) => this.server!.close(() => resolveClose()));
    }
    // Cascades remove copies, booklets, pages, locks, annotations and sessions.
    await this.pool.query('DELETE FROM exams WHERE name = $1', [`selftest-${this.suffix}`]);
    await this.pool.query('DELETE FROM users WHERE username = ANY($1)', [[this.teacherA, this.teacherB]]);
    await this.pool.end();
    if (this.mediaRoot) await rm(this.mediaRoot, { recursive: true, force: true });
  }
}
