import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { runContractE2e } from './testing/contract-e2e.js';
import { KorrigoClient } from './testing/korrigo-client.js';
import { runCli, startServe, startTestDb, type CliProcess, type TestStack } from './testing/process-harness.js';

const TEACHER_PASSWORD = 'prof-pass-42';
const METRICS_TOKEN = 'metrics-secret-7';

describe('korrigo-lite API over a real db and serve process', () => {
  let stack: TestStack;
  let serve: CliProcess;
  let baseUrl = '';

  before(async () => {
    stack = await startTestDb();
    const env = { ...stack.env, TEACHER_PASSWORD, ADMIN_PASSWORD: 'admin-pass-42' };
    assert.equal((await runCli(['migrate'], env)).code, 0);
    assert.equal((await runCli(['seed'], env)).code, 0);
    ({ proc: serve, baseUrl } = await startServe({ ...env, COPIES_PAGE_SIZE: '2', METRICS_TOKEN }));
  });
  after(async () => {
    await serve?.stop();
    await stack?.stop();
  });

  it('answers the three health endpoints with 200', async () => {
    const client = new KorrigoClient(baseUrl);
    for (const path of ['/api/health/', '/api/health/live/', '/api/health/ready/']) {
      assert.equal((await client.request('GET', path)).status, 200, path);
    }
  });

  it('serves /metrics only with the token, as header or query', async () => {
    const client = new KorrigoClient(baseUrl);
    assert.equal((await client.request('GET', '/metrics')).status, 403);
    assert.equal((await client.request('GET', '/metrics', { headers: { 'X-Metrics-Token': 'nope' } })).status, 403);
    const byHeader = await client.request('GET', '/metrics', { headers: { 'X-Metrics-Token': METRICS_TOKEN } });
    assert.equal(byHeader.status, 200);
    assert.match(byHeader.text, /^korrigo_db_up 1$/m);
    assert.match(byHeader.text, /korrigo_http_requests_total\{method="GET",route="\/api\/health\/",status="200"\} 1/);
    assert.equal((await client.request('GET', `/metrics?token=${METRICS_TOKEN}`)).status, 200);
  });

  it('sets csrftoken on the first GET and rejects a login without X-CSRFToken', async () => {
    const client = new KorrigoClient(baseUrl);
    const first = await client.request('GET', '/api/exams/');
    assert.equal(first.status, 403);
    assert.ok(client.cookie('csrftoken'));
    const res = await client.request('POST', '/api/login/', {
      body: { username: 'prof1', password: TEACHER_PASSWORD },
      headers: { Referer: `${baseUrl}/` },
      csrf: false,
    });
    assert.equal(res.status, 403);
    assert.equal(res.json.detail, 'CSRF Failed: CSRF token missing.');
    assert.equal(client.cookie('sessionid'), undefined);
  });

  it('rejects an unsafe request whose Referer is another origin', async () => {
    const client = new KorrigoClient(baseUrl);
    await client.request('GET', '/api/exams/');
    const res = await client.request('POST', '/api/login/', {
      body: { username: 'prof1', password: TEACHER_PASSWORD },
      headers: { 'X-CSRFToken': client.cookie('csrftoken')!, Referer: 'http://evil.example/' },
      csrf: false,
    });
    assert.equal(res.status, 403);
    assert.match(res.json.detail, /Referer checking failed/);
  });

  it('answers 401 for a wrong password and 400 for a missing one', async () => {
    const client = new KorrigoClient(baseUrl);
    const wrong = await client.login('prof1', 'wrong');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.detail, 'Invalid credentials.');
    const missing = await client.request('POST', '/api/login/', { body: { username: 'prof1' } });
    assert.equal(missing.status, 400);
  });

  it('passes the contract E2E workflow 3 times, finding the READY copy on page 2', async () => {
    const client = new KorrigoClient(baseUrl);
    const csrfBefore = (await client.request('GET', '/api/exams/'), client.cookie('csrftoken'));
    const login = await client.login('prof1', TEACHER_PASSWORD);
    assert.equal(login.status, 200);
    assert.notEqual(client.cookie('csrftoken'), csrfBefore, 'login rotates the CSRF token');
    for (let i = 1; i <= 3; i++) {
      const run = await runContractE2e(client);
      assert.equal(run.copyPagesWalked, 2, 'COPIES_PAGE_SIZE=2 puts the first READY copy on page 2');
      assert.equal(run.lock.status, 201, `run ${i}: ${run.lock.text}`);
      assert.deepEqual(Object.keys(run.lock.json).sort(), [
        'copy_id', 'expires_at', 'owner', 'server_time', 'status', 'token',
      ]);
      assert.equal(run.lock.json.status, 'LOCKED');
      assert.equal(run.annotation.status, 201, `run ${i}: ${run.annotation.text}`);
      assert.equal(run.list?.status, 200);
      assert.equal(run.list?.json.count, i);
      assert.equal(run.release?.status, 204);
      const reset = await runCli(['reset-locks'], stack.env);
      assert.equal(reset.code, 0, reset.stderr);
    }
  });

  it('gives 409 to a second teacher while the copy is locked, and 403 without a lock token', async () => {
    const prof1 = new KorrigoClient(baseUrl);
    const prof2 = new KorrigoClient(baseUrl);
    assert.equal((await prof1.login('prof1', TEACHER_PASSWORD)).status, 200);
    assert.equal((await prof2.login('prof2', TEACHER_PASSWORD)).status, 200);
    const lock = await prof1.request('POST', '/api/grading/copies/4/lock/', { body: {} });
    assert.equal(lock.status, 201);
    const conflict = await prof2.request('POST', '/api/grading/copies/4/lock/', { body: {} });
    assert.equal(conflict.status, 409);
    const noToken = await prof1.request('POST', '/api/grading/copies/4/annotations/', {
      body: { page_index: 0, x: 0.1, y: 0.1, w: 0.1, h: 0.1 },
    });
    assert.equal(noToken.status, 403);
    assert.deepEqual(noToken.json, { detail: 'Missing lock token.' });
    const reset = await runCli(['reset-locks'], stack.env);
    assert.match(reset.stdout, /Deleted 1 lock\(s\); 1 copy\(ies\) back to READY\./);
  });

  it('logs one line per request and never a password, token or cookie', async () => {
    assert.match(serve.output, /INFO POST \/api\/login\/ 200 \d+ms/);
    assert.match(serve.output, /WARNING POST \/api\/login\/ 403 \d+ms/);
    for (const secret of [TEACHER_PASSWORD, METRICS_TOKEN, 'csrftoken', 'sessionid', 'token=']) {
      assert.equal(serve.output.includes(secret), false, `serve output contains ${secret}`);
    }
    assert.doesNotMatch(serve.output, /ERROR|Traceback/);
  });
});
