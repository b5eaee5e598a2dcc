import { strict as assert } from 'node:assert';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { verifyPassword } from './password-hasher.js';
import { readPngSize } from './png-encoder.js';
import { CliProcess, runCli, startTestDb, type TestStack } from './testing/process-harness.js';

function fingerprintOf(stdout: string): string {
  const match = /^fingerprint: ([0-9a-f]{64})$/m.exec(stdout);
  assert.ok(match, `no fingerprint line in:\n${stdout}`);
  return match[1]!;
}

describe('korrigo-lite commands against a fresh embedded database', () => {
  let stack: TestStack;
  let sql: pg.Client;

  before(async () => {
    stack = await startTestDb();
    sql = new pg.Client({ connectionString: stack.env.DATABASE_URL });
    await sql.connect();
  });
  after(async () => {
    await sql?.end();
    await stack?.stop();
  });

  it('migrate --check lists every migration as pending on a fresh database and exits 1', async () => {
    const res = await runCli(['migrate', '--check'], stack.env);
    assert.equal(res.code, 1);
    assert.match(res.stdout, /Pending migrations \(4\):\n {2}\[ \] 0001_core\n {2}\[ \] 0002_grading\n {2}\[ \] 0003_indexes\n {2}\[ \] 0004_exam_session/);
  });

  it('migrate-fail: migrate exits 1 with an ERROR line and applies nothing', async () => {
    const res = await runCli(['migrate'], { ...stack.env, KORRIGO_LITE_FAULT: 'migrate-fail' });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^ERROR Migration 0001_core failed/m);
    assert.match((await runCli(['migrate', '--check'], stack.env)).stdout, /Pending migrations \(4\)/);
  });

  it('pending-migration: migrate exits 0 but leaves 0003_indexes, so migrate --check exits 1', async () => {
    const res = await runCli(['migrate'], { ...stack.env, KORRIGO_LITE_FAULT: 'pending-migration' });
    assert.equal(res.code, 0, res.stderr);
    assert.doesNotMatch(res.stdout, /0003/);
    assert.match(res.stdout, /Applying 0004_exam_session\.\.\. OK/);
    const check = await runCli(['migrate', '--check'], stack.env);
    assert.equal(check.code, 1);
    assert.match(check.stdout, /Pending migrations \(1\):\n {2}\[ \] 0003_indexes/);
  });

  it('migrate --check names the model changes of the pending migration, as makemigrations --check does', async () => {
    const check = await runCli(['migrate', '--check'], stack.env);
    assert.equal(check.code, 1);
    assert.match(
      check.stdout,
      /^model changes without a migration: exams\.Copy, grading\.Annotation, sessions\.Session, core\.Job$/m,
    );
  });

  it('migrate applies what is left, is idempotent, and migrate --check then exits 0', async () => {
    const first = await runCli(['migrate', '--noinput'], stack.env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Applying 0003_indexes\.\.\. OK/);
    const second = await runCli(['migrate'], stack.env);
    assert.match(second.stdout, /No migrations to apply\./);
    const check = await runCli(['migrate', '--check'], stack.env);
    assert.equal(check.code, 0);
    assert.equal(check.stdout, 'No pending migrations.\n');
  });

  it('seed twice gives the same fingerprint and prints generated passwords only on the first run', async () => {
    const env = { ...stack.env, TEACHER_PASSWORD: 'teach' };
    const run1 = await runCli(['seed'], env);
    assert.equal(run1.code, 0, run1.stderr);
    assert.match(run1.stdout, /^Generated password for admin: \S{16}$/m);
    assert.doesNotMatch(run1.stdout, /Generated password for prof/);
    const fp1 = await runCli(['fingerprint'], stack.env);
    const run2 = await runCli(['seed'], env);
    assert.equal(run2.code, 0, run2.stderr);
    assert.doesNotMatch(run2.stdout, /Generated password|Created/);
    const fp2 = await runCli(['fingerprint'], stack.env);
    assert.equal(fingerprintOf(fp2.stdout), fingerprintOf(fp1.stdout));
    assert.match(fp1.stdout, /^users: 14\nexams: 1\ncopies: 5\nbooklets: 4\npages: 14\n/);
  });

  it('seed writes real PNG page images under MEDIA_ROOT', async () => {
    const png = await readFile(join(stack.env.MEDIA_ROOT!, 'copies/ANON-0003/page-04.png'));
    assert.deepEqual(readPngSize(png), { width: 124, height: 175 });
  });

  it('sanity prints the contract lines and exits 0', async () => {
    const res = await runCli(['sanity'], stack.env);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(
      res.stdout,
      [
        'users: 14',
        'exams: 1',
        'copies total: 5',
        'copies READY: 3',
        'READY 3 ANON-0003: booklets=1, pages=4',
        'READY 4 ANON-0004: booklets=1, pages=4',
        'READY 5 ANON-0005: booklets=1, pages=4',
        '',
      ].join('\n'),
    );
  });

  it('set-password stores a new scrypt hash, and fails with 1 for an unknown user', async () => {
    const res = await runCli(['set-password', 'prof1', 'new-pass'], stack.env);
    assert.equal(res.code, 0, res.stderr);
    const { rows } = await sql.query('SELECT password_hash FROM users WHERE username = $1', ['prof1']);
    assert.equal(await verifyPassword('new-pass', rows[0].password_hash), true);
    assert.equal((await runCli(['set-password', 'nobody', 'x'], stack.env)).code, 1);
  });

  it('reset-locks deletes locks and puts LOCKED copies back to READY', async () => {
    await sql.query(`INSERT INTO copy_locks (copy_id, owner_id, token, expires_at) VALUES (3, 2, 't-1', now() + interval '1 hour')`);
    await sql.query(`UPDATE copies SET status = 'LOCKED' WHERE id = 3`);
    const res = await runCli(['reset-locks'], stack.env);
    assert.equal(res.stdout, 'Deleted 1 lock(s); 1 copy(ies) back to READY.\n');
    const { rows } = await sql.query('SELECT status FROM copies WHERE id = 3');
    assert.equal(rows[0].status, 'READY');
  });

  it('worker checks queued page jobs and re-renders a lost page image', async () => {
    const lost = join(stack.env.MEDIA_ROOT!, 'copies/ANON-0004/page-02.png');
    const original = await readFile(lost);
    await rm(lost);
    const job = await sql.query(`INSERT INTO jobs (kind, copy_id) VALUES ('check-pages', 4) RETURNING id`);
    const worker = CliProcess.start(['worker'], { ...stack.env, WORKER_POLL_MS: '100' });
    try {
      // Jobs run in id order: the seed's own jobs come first, one of them may already do the repair.
      await worker.waitFor(new RegExp(`job ${job.rows[0].id} check-pages copy=4 pages=4 .* -> DONE`), 20_000);
      assert.match(worker.output, /check-pages copy=4 pages=4 ok=3 repaired=1 missing=0 -> DONE/);
      const { rows } = await sql.query(`SELECT count(*)::int AS n FROM jobs WHERE status <> 'DONE'`);
      assert.equal(rows[0].n, 0);
    } finally {
      await worker.stop();
    }
    assert.equal(worker.exitCode, 0, 'worker stops cleanly on SIGTERM');
    assert.deepEqual(await readFile(lost), original);
  });

  it('test runs the backend suite with a JUnit report and leaves the seeded data unchanged', async () => {
    const before = fingerprintOf((await runCli(['fingerprint'], stack.env)).stdout);
    const junit = join(stack.dir, 'junit.xml');
    const res = await runCli(['test', '--junit', junit], stack.env);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const closing = res.stdout.trim().split('\n').at(-1) ?? '';
    assert.match(closing, /^(\d+) passed, 0 failed, 0 skipped in \d+\.\d+s$/);
    const xml = await readFile(junit, 'utf8');
    assert.equal((xml.match(/<testcase /g) ?? []).length, Number(/^(\d+) passed/.exec(closing)?.[1]));
    assert.equal(fingerprintOf((await runCli(['fingerprint'], stack.env)).stdout), before);
  });

  it('exits 2 on usage errors and on an unknown fault name', async () => {
    assert.equal((await runCli(['nope'], stack.env)).code, 2);
    assert.equal((await runCli(['migrate', '--bogus'], stack.env)).code, 2);
    assert.equal((await runCli(['set-password', 'prof1'], stack.env)).code, 2);
    const typo = await runCli(['sanity'], { ...stack.env, KORRIGO_LITE_FAULT: 'zero-page' });
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown fault\(s\) "zero-page"/);
  });
});
