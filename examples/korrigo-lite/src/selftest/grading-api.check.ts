import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { parseGeneration } from '../generation.js';
import { KorrigoClient } from '../testing/korrigo-client.js';
import { SELFTEST_METRICS_TOKEN, SELFTEST_PASSWORD, SelftestFixture } from './selftest-fixture.js';

const annotation = { page_index: 0, x: 0.1, y: 0.2, w: 0.3, h: 0.05, type: 'COMMENT', content: 'selftest' };
// The suite checks the generation the backend runs as (KORRIGO_LITE_GENERATION), as Korrigo's own
// pytest checks the code of its checkout: v1 with locks, current without.
const generation = parseGeneration(process.env['KORRIGO_LITE_GENERATION']);
// Where a client without cookies gets its csrftoken.
const csrfPath = generation === 'v1' ? '/api/exams/' : '/api/csrf/';

describe('grading API', () => {
  const fixture = new SelftestFixture();
  let teacher: KorrigoClient;
  let lockToken = '';

  before(async () => {
    await fixture.setUp();
    teacher = new KorrigoClient(fixture.baseUrl);
  });
  after(() => fixture.tearDown());

  it('reports the database healthy', async () => {
    const res = await new KorrigoClient(fixture.baseUrl).request('GET', '/api/health/');
    assert.equal(res.status, 200);
    assert.equal(res.json.database, 'ok');
  });

  it('requires the metrics token', async () => {
    const client = new KorrigoClient(fixture.baseUrl);
    assert.equal((await client.request('GET', '/metrics')).status, 403);
    const res = await client.request('GET', '/metrics', { headers: { 'X-Metrics-Token': SELFTEST_METRICS_TOKEN } });
    assert.equal(res.status, 200);
    assert.match(res.text, /korrigo_db_up 1/);
  });

  it('rejects a wrong password with 401', async () => {
    const res = await new KorrigoClient(fixture.baseUrl).login(fixture.teacherA, 'wrong');
    assert.equal(res.status, 401);
    assert.equal(res.json.detail, 'Invalid credentials.');
  });

  it('rejects a login without the CSRF token', async () => {
    const client = new KorrigoClient(fixture.baseUrl);
    await client.request('GET', csrfPath);
    const res = await client.request('POST', '/api/login/', {
      body: { username: fixture.teacherA, password: SELFTEST_PASSWORD },
      headers: { Referer: `${fixture.baseUrl}/` },
      csrf: false,
    });
    assert.equal(res.status, 403);
    assert.match(res.json.detail, /CSRF Failed/);
  });

  it('logs in and rotates the CSRF token', async () => {
    await teacher.request('GET', csrfPath);
    const before = teacher.cookie('csrftoken');
    assert.ok(before, `GET ${csrfPath} sets csrftoken`);
    const res = await teacher.login(fixture.teacherA, SELFTEST_PASSWORD);
    assert.equal(res.status, 200);
    assert.ok(teacher.cookie('sessionid'));
    assert.notEqual(teacher.cookie('csrftoken'), before);
  });

  it('paginates copies with absolute next links', async () => {
    const first = await teacher.request('GET', `/api/exams/${fixture.examId}/copies/`);
    assert.equal(first.status, 200);
    assert.equal(first.json.count, 2);
    assert.equal(first.json.results.length, 1);
    assert.equal(first.json.next, `${fixture.baseUrl}/api/exams/${fixture.examId}/copies/?page=2`);
    const second = await teacher.request('GET', first.json.next);
    assert.equal(second.json.results[0].id, fixture.emptyCopyId);
    assert.equal(second.json.next, null);
  });

  if (generation === 'current') {
    it('sets no csrftoken on GET /api/exams/ without cookies', async () => {
      const res = await new KorrigoClient(fixture.baseUrl).request('GET', '/api/exams/');
      assert.equal(res.status, 403);
      assert.equal(res.headers.getSetCookie().some((c) => c.startsWith('csrftoken=')), false);
    });

    it('has no lock route: POST and DELETE on it answer 404', async () => {
      const base = `/api/grading/copies/${fixture.pagedCopyId}/lock`;
      assert.equal((await teacher.request('POST', `${base}/`, { body: {} })).status, 404);
      assert.equal((await teacher.request('DELETE', `${base}/release/`)).status, 404);
    });

    it('validates annotation geometry and page index', async () => {
      const url = `/api/grading/copies/${fixture.pagedCopyId}/annotations/`;
      assert.equal((await teacher.request('POST', url, { body: { ...annotation, x: 1.5 } })).status, 400);
      assert.equal((await teacher.request('POST', url, { body: { ...annotation, page_index: 2 } })).status, 400);
    });

    it('creates an annotation without a lock token and lists it', async () => {
      const url = `/api/grading/copies/${fixture.pagedCopyId}/annotations/`;
      const created = await teacher.request('POST', url, { body: annotation });
      assert.equal(created.status, 201, created.text);
      const listed = await teacher.request('GET', url);
      assert.equal(listed.status, 200);
      assert.equal(listed.json.count, 1);
    });

    it('ignores a leftover X-Lock-Token header', async () => {
      const url = `/api/grading/copies/${fixture.pagedCopyId}/annotations/`;
      const created = await teacher.request('POST', url, { body: annotation, headers: { 'X-Lock-Token': 'stale' } });
      assert.equal(created.status, 201, created.text);
    });

    it('refuses to annotate a READY copy without pages (the P0 bug)', async () => {
      const res = await teacher.request('POST', `/api/grading/copies/${fixture.emptyCopyId}/annotations/`, {
        body: annotation,
      });
      assert.equal(res.status, 400);
    });
  } else {
    it('locks a READY copy: 201, then 200 for the same user, 409 for another', async () => {
      const created = await teacher.request('POST', `/api/grading/copies/${fixture.pagedCopyId}/lock/`, { body: {} });
      assert.equal(created.status, 201);
      assert.equal(created.json.status, 'LOCKED');
      lockToken = created.json.token;
      const again = await teacher.request('POST', `/api/grading/copies/${fixture.pagedCopyId}/lock/`, { body: {} });
      assert.equal(again.status, 200);
      assert.equal(again.json.token, lockToken);
      const other = new KorrigoClient(fixture.baseUrl);
      assert.equal((await other.login(fixture.teacherB, SELFTEST_PASSWORD)).status, 200);
      const conflict = await other.request('POST', `/api/grading/copies/${fixture.pagedCopyId}/lock/`, { body: {} });
      assert.equal(conflict.status, 409);
    });

    it('refuses an annotation without the lock token', async () => {
      const res = await teacher.request('POST', `/api/grading/copies/${fixture.pagedCopyId}/annotations/`, {
        body: annotation,
      });
      assert.equal(res.status, 403);
      assert.deepEqual(res.json, { detail: 'Missing lock token.' });
    });

    it('validates annotation geometry and page index', async () => {
      const url = `/api/grading/copies/${fixture.pagedCopyId}/annotations/`;
      const headers = { 'X-Lock-Token': lockToken };
      const outside = await teacher.request('POST', url, { body: { ...annotation, x: 1.5 }, headers });
      assert.equal(outside.status, 400);
      const noSuchPage = await teacher.request('POST', url, { body: { ...annotation, page_index: 2 }, headers });
      assert.equal(noSuchPage.status, 400);
    });

    it('creates an annotation and lists it', async () => {
      const url = `/api/grading/copies/${fixture.pagedCopyId}/annotations/`;
      const created = await teacher.request('POST', url, { body: annotation, headers: { 'X-Lock-Token': lockToken } });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.json.content, 'selftest');
      const listed = await teacher.request('GET', url);
      assert.equal(listed.status, 200);
      assert.equal(listed.json.count, 1);
    });

    it('refuses to annotate a READY copy without pages (the P0 bug)', async () => {
      const lock = await teacher.request('POST', `/api/grading/copies/${fixture.emptyCopyId}/lock/`, { body: {} });
      assert.equal(lock.status, 201);
      const res = await teacher.request('POST', `/api/grading/copies/${fixture.emptyCopyId}/annotations/`, {
        body: annotation,
        headers: { 'X-Lock-Token': lock.json.token },
      });
      assert.equal(res.status, 400);
    });

    it('releases the lock with 204 and the copy is READY again', async () => {
      const res = await teacher.request('DELETE', `/api/grading/copies/${fixture.pagedCopyId}/lock/release/`, {
        headers: { 'X-Lock-Token': lockToken },
      });
      assert.equal(res.status, 204);
      const { rows } = await fixture.db.query('SELECT status FROM copies WHERE id = $1', [fixture.pagedCopyId]);
      assert.equal(rows[0].status, 'READY');
    });
  }
});
