import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { dependencyOrder } from './backup.js';
import { runCli, startTestDb, type TestStack } from './testing/process-harness.js';

describe('backup dependency order', () => {
  it('puts every table after the tables it references, ties alphabetical, self-references ignored', () => {
    const refs = [
      { child: 'pages', parent: 'booklets' },
      { child: 'booklets', parent: 'copies' },
      { child: 'copies', parent: 'exams' },
      { child: 'copies', parent: 'users' },
      { child: 'users', parent: 'users' },
    ];
    assert.deepEqual(dependencyOrder(['pages', 'users', 'copies', 'booklets', 'exams', 'jobs'], refs), ['exams', 'jobs', 'users', 'copies', 'booklets', 'pages']);
  });

  it('refuses a cycle, naming its tables', () => {
    assert.throws(() => dependencyOrder(['a', 'b'], [{ child: 'a', parent: 'b' }, { child: 'b', parent: 'a' }]), /cycle among a, b/);
  });
});

describe('backup and restore on a seeded embedded database', () => {
  let stack: TestStack;
  let sql: pg.Client;
  const fingerprint = async (schema?: string): Promise<string> => {
    const res = await runCli(['fingerprint'], { ...stack.env, ...(schema ? { KORRIGO_LITE_DB_SCHEMA: schema } : {}) });
    assert.equal(res.code, 0, res.stderr);
    return res.stdout;
  };

  before(async () => {
    stack = await startTestDb();
    for (const command of ['migrate', 'seed']) assert.equal((await runCli([command], stack.env)).code, 0);
    sql = new pg.Client({ connectionString: stack.env.DATABASE_URL });
    await sql.connect();
    // An annotation: data the seed never writes, which a backup must still hold.
    await sql.query("INSERT INTO annotations (copy_id, page_index, x, y, w, h, type, content) SELECT id, 0, 0.1, 0.2, 0.3, 0.05, 'COMMENT', 'kept' FROM copies ORDER BY id LIMIT 1");
  });
  after(async () => {
    await sql?.end();
    await stack?.stop();
  });

  it('restores into a throwaway schema whose fingerprint equals the live one, ids and dates included', async () => {
    const file = join(stack.dir, 'backup.json');
    const backup = await runCli(['backup', '--out', file], stack.env);
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, /^Backup of \d+ tables \(\d+ rows\) written to .*: .*exams.*copies.*booklets.*pages/m);
    const restore = await runCli(['restore', '--in', file, '--schema', 'rg_restore'], stack.env);
    assert.equal(restore.code, 0, restore.stderr);
    const live = await fingerprint();
    assert.match(live, /^pages: [1-9]\d*$/m);
    assert.match(live, /^annotations: 1$/m);
    assert.equal(await fingerprint('rg_restore'), live);
    // A new row in the copy takes the next id, not a restored one.
    const next = await sql.query("INSERT INTO rg_restore.exams (name, exam_date, session) VALUES ('after restore', '2026-01-01', '2026') RETURNING id");
    const max = await sql.query('SELECT MAX(id) AS m FROM public.exams');
    assert.ok(Number(next.rows[0].id) > Number(max.rows[0].m));
    const drop = await runCli(['drop-schema', 'rg_restore'], stack.env);
    assert.match(drop.stdout, /Dropped schema rg_restore/);
    const gone = await runCli(['fingerprint'], { ...stack.env, KORRIGO_LITE_DB_SCHEMA: 'rg_restore' });
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /schema "rg_restore" does not exist/);
  });

  it('restore-differs: the backup leaves the pages out, so the restored fingerprint differs there', async () => {
    const file = join(stack.dir, 'backup-fault.json');
    assert.equal((await runCli(['backup', '--out', file], { ...stack.env, KORRIGO_LITE_FAULT: 'restore-differs' })).code, 0);
    assert.equal((await runCli(['restore', '--in', file, '--schema', 'rg_fault'], stack.env)).code, 0);
    const restored = await fingerprint('rg_fault');
    assert.match(restored, /^pages: 0$/m);
    assert.notEqual(restored, await fingerprint());
  });

  it('refuses to restore over the live data or into a name that is not a plain schema name', async () => {
    const file = join(stack.dir, 'backup.json');
    const live = await runCli(['restore', '--in', file, '--schema', 'public'], stack.env);
    assert.equal(live.code, 2);
    assert.match(live.stderr, /is the live data/);
    const odd = await runCli(['restore', '--in', file, '--schema', 'x"; DROP TABLE users; --'], stack.env);
    assert.equal(odd.code, 2);
    assert.match(odd.stderr, /is not a schema name/);
  });
});
