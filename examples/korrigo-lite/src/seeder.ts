import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Pool } from './db-pool.js';
import type { FaultName } from './faults.js';
import type { Release } from './release.js';
import { PAGE_HEIGHT, PAGE_WIDTH, renderPageImage } from './page-renderer.js';
import { hashPassword, UNUSABLE_PASSWORD, verifyPassword } from './password-hasher.js';

type Role = 'ADMIN' | 'TEACHER' | 'STUDENT';
type CopyStatus = 'STAGING' | 'READY' | 'GRADED';

interface CopySpec {
  anonymousId: string;
  student: string;
  status: CopyStatus;
  pages: number;
}

export const SEED_EXAM = { name: 'Bac blanc Mathematiques 2025', date: '2025-06-16', description: 'Mock exam, session 2025' };

/** Listed in id order: the non-READY copies come first so, with small pages, READY ones sit on page 2+. */
export const SEED_COPIES: readonly CopySpec[] = [
  { anonymousId: 'ANON-0001', student: 'student01', status: 'GRADED', pages: 2 },
  { anonymousId: 'ANON-0002', student: 'student02', status: 'STAGING', pages: 0 },
  { anonymousId: 'ANON-0003', student: 'student03', status: 'READY', pages: 4 },
  { anonymousId: 'ANON-0004', student: 'student04', status: 'READY', pages: 4 },
  { anonymousId: 'ANON-0005', student: 'student05', status: 'READY', pages: 4 },
];

const STUDENTS = Array.from({ length: 10 }, (_, i) => `student${String(i + 1).padStart(2, '0')}`);

/** What seed needs besides the database. */
export interface SeedOptions {
  mediaRoot: string;
  adminPassword: string | undefined;
  teacherPassword: string | undefined;
  faults: ReadonlySet<FaultName>;
  /** v1 writes no session (it derives it from the date); v2 stores it (migration 0004). */
  release: Release;
  print: (line: string) => void;
}

/** Idempotent: a second run with the same options changes nothing (unless the seed-not-idempotent fault is on). */
export class Seeder {
  constructor(
    private readonly pool: Pool,
    private readonly options: SeedOptions,
  ) {}

  async run(): Promise<void> {
    const { print, faults } = this.options;
    const userIds = new Map<string, number>();
    userIds.set('admin', await this.ensureUser('admin', 'ADMIN', this.options.adminPassword));
    for (const prof of ['prof1', 'prof2', 'prof3']) {
      userIds.set(prof, await this.ensureUser(prof, 'TEACHER', this.options.teacherPassword));
    }
    for (const student of STUDENTS) userIds.set(student, await this.ensureUser(student, 'STUDENT', null));

    const examId = await this.ensureExam();
    let firstReady = true;
    let queued = 0;
    for (const spec of SEED_COPIES) {
      const copyId = await this.ensureCopy(examId, spec, userIds.get(spec.student) ?? null);
      const starvePages = spec.status === 'READY' && firstReady && faults.has('zero-pages');
      if (spec.status === 'READY') firstReady = false;
      if (spec.pages === 0) continue;
      const created = await this.ensureBooklet(copyId, spec, starvePages);
      if (created > 0) {
        await this.pool.query(`INSERT INTO jobs (kind, copy_id) VALUES ('check-pages', $1)`, [copyId]);
        queued++;
      }
    }
    if (faults.has('seed-not-idempotent')) {
      // The classic create-instead-of-get_or_create bug: every run adds a copy.
      await this.pool.query(
        `INSERT INTO copies (exam_id, anonymous_id, status) VALUES ($1, $2, 'STAGING')`,
        [examId, `ANON-DUP-${Date.now()}-${randomBytes(2).toString('hex')}`],
      );
    }
    const { rows } = await this.pool.query<{ users: number; exams: number; copies: number; pages: number }>(`
      SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM exams)::int AS exams,
             (SELECT count(*) FROM copies)::int AS copies, (SELECT count(*) FROM pages)::int AS pages`);
    const c = rows[0];
    print(`Seed complete: users=${c?.users} exams=${c?.exams} copies=${c?.copies} pages=${c?.pages} jobs queued=${queued}`);
  }

  private async ensureUser(username: string, role: Role, envPassword: string | undefined | null): Promise<number> {
    const { print } = this.options;
    const existing = await this.pool.query<{ id: number; password_hash: string }>(
      'SELECT id, password_hash FROM users WHERE username = $1',
      [username],
    );
    const row = existing.rows[0];
    if (row) {
      // Only an explicitly given password is enforced, and only when it differs: re-runs stay no-ops.
      if (envPassword && !(await verifyPassword(envPassword, row.password_hash))) {
        await this.pool.query('UPDATE users SET password_hash = $1 WHERE id = $2', [
          await hashPassword(envPassword),
          row.id,
        ]);
        print(`Updated password for ${username} from the environment.`);
      }
      return row.id;
    }
    let hash = UNUSABLE_PASSWORD;
    if (envPassword !== null) {
      let password = envPassword;
      if (!password) {
        password = randomBytes(12).toString('base64url');
        print(`Generated password for ${username}: ${password}`);
      }
      hash = await hashPassword(password);
    }
    const inserted = await this.pool.query<{ id: number }>(
      'INSERT INTO users (username, password_hash, role) VALUES ($1, $2, $3) RETURNING id',
      [username, hash, role],
    );
    print(`Created user ${username} (${role.toLowerCase()}).`);
    return inserted.rows[0]!.id;
  }

  private async ensureExam(): Promise<number> {
    const found = await this.pool.query<{ id: number }>('SELECT id FROM exams WHERE name = $1', [SEED_EXAM.name]);
    if (found.rows[0]) return found.rows[0].id;
    const inserted =
      this.options.release === 'v1'
        ? await this.pool.query<{ id: number }>(
            'INSERT INTO exams (name, exam_date, description) VALUES ($1, $2, $3) RETURNING id',
            [SEED_EXAM.name, SEED_EXAM.date, SEED_EXAM.description],
          )
        : await this.pool.query<{ id: number }>(
            `INSERT INTO exams (name, exam_date, description, session) VALUES ($1, $2, $3, to_char($2::date, 'YYYY')) RETURNING id`,
            [SEED_EXAM.name, SEED_EXAM.date, SEED_EXAM.description],
          );
    this.options.print(`Created exam "${SEED_EXAM.name}".`);
    return inserted.rows[0]!.id;
  }

  private async ensureCopy(examId: number, spec: CopySpec, studentId: number | null): Promise<number> {
    const found = await this.pool.query<{ id: number }>('SELECT id FROM copies WHERE anonymous_id = $1', [
      spec.anonymousId,
    ]);
    // An existing copy keeps its status: re-seeding must not undo grading in progress.
    if (found.rows[0]) return found.rows[0].id;
    const inserted = await this.pool.query<{ id: number }>(
      'INSERT INTO copies (exam_id, anonymous_id, student_id, status) VALUES ($1, $2, $3, $4) RETURNING id',
      [examId, spec.anonymousId, studentId, spec.status],
    );
    this.options.print(`Created copy ${spec.anonymousId} (${spec.status}).`);
    return inserted.rows[0]!.id;
  }

  /** Makes sure the copy's booklet has its page rows and image files; returns how many page rows it created. */
  private async ensureBooklet(copyId: number, spec: CopySpec, starvePages: boolean): Promise<number> {
    await this.pool.query(
      'INSERT INTO booklets (copy_id, position) VALUES ($1, 1) ON CONFLICT (copy_id, position) DO NOTHING',
      [copyId],
    );
    const booklet = await this.pool.query<{ id: number }>(
      'SELECT id FROM booklets WHERE copy_id = $1 AND position = 1',
      [copyId],
    );
    const bookletId = booklet.rows[0]!.id;
    if (starvePages) {
      // zero-pages fault: the booklet exists but splitting "lost" its pages (Korrigo's P0 bug).
      await this.pool.query('DELETE FROM pages WHERE booklet_id = $1', [bookletId]);
      return 0;
    }
    let created = 0;
    for (let pageIndex = 0; pageIndex < spec.pages; pageIndex++) {
      const relPath = `copies/${spec.anonymousId}/page-${String(pageIndex + 1).padStart(2, '0')}.png`;
      const png = renderPageImage(spec.anonymousId, pageIndex);
      const sha256 = createHash('sha256').update(png).digest('hex');
      await this.writeIfChanged(join(this.options.mediaRoot, relPath), png);
      const result = await this.pool.query(
        `INSERT INTO pages (booklet_id, page_index, image_path, sha256, width, height)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (booklet_id, page_index) DO NOTHING`,
        [bookletId, pageIndex, relPath, sha256, PAGE_WIDTH, PAGE_HEIGHT],
      );
      created += result.rowCount ?? 0;
    }
    return created;
  }

  private async writeIfChanged(path: string, content: Buffer): Promise<void> {
    const current = await readFile(path).catch(() => null);
    if (current?.equals(content)) return;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
}
