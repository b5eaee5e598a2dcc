import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { runCurrentE2e } from './testing/contract-e2e.js';
import { KorrigoClient, type ApiResponse } from './testing/korrigo-client.js';
import { runCli, startServe, startTestDb, type CliProcess, type TestStack } from './testing/process-harness.js';

const TEACHER_PASSWORD = 'current-prof-42';
const METRICS_TOKEN = 'current-metrics-secret-9';
const CURRENT = { KORRIGO_LITE_GENERATION: 'current' };

const setsCsrfCookie = (res: ApiResponse): boolean => res.headers.getSetCookie().some((c) => c.startsWith('csrftoken='));

/** One request on a fresh client, anonymous or logged in as prof1, and what it must answer. */
interface RequestCase {
  name: string;
  as: 'anonymous' | 'prof1';
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  json?: unknown;
  /** Whether the answer carries a Set-Cookie for csrftoken. */
  setsCsrf?: boolean;
}

describe('KORRIGO_LITE_GENERATION=current over a real db and serve processes', () => {
  let stack: TestStack;
  let env: Record<string, string>;
  const started: CliProcess[] = [];
  /** current, METRICS_TOKEN set, COPIES_PAGE_SIZE=2. */
  let current = '';
  let currentProc: CliProcess;
  /** current, METRICS_TOKEN empty. */
  let noToken = '';
  let noTokenProc: CliProcess;
  /** v1, for what the two generations share. */
  let v1 = '';

  const serve = async (extra: Record<string, string>): Promise<{ proc: CliProcess; baseUrl: string }> => {
    const s = await startServe({ ...env, ...extra });
    started.push(s.proc);
    return s;
  };
  const client = async (baseUrl: string, as: RequestCase['as']): Promise<KorrigoClient> => {
    const c = new KorrigoClient(baseUrl);
    if (as === 'prof1') assert.equal((await c.login('prof1', TEACHER_PASSWORD)).status, 200);
    return c;
  };

  before(async () => {
    stack = await startTestDb();
    env = { ...stack.env, TEACHER_PASSWORD, ADMIN_PASSWORD: 'current-admin-42' };
    assert.equal((await runCli(['migrate'], env)).code, 0);
    assert.equal((await runCli(['seed'], env)).code, 0);
    const [a, b, c] = await Promise.all([
      serve({ ...CURRENT, METRICS_TOKEN, COPIES_PAGE_SIZE: '2' }),
      serve({ ...CURRENT, METRICS_TOKEN: '' }),
      serve({ METRICS_TOKEN }),
    ]);
    ({ proc: currentProc, baseUrl: current } = a);
    ({ proc: noTokenProc, baseUrl: noToken } = b);
    v1 = c.baseUrl;
  });
  after(async () => {
    for (const proc of started) await proc.stop();
    await stack?.stop();
  });

  describe('requests on a fresh client', () => {
    const cases: RequestCase[] = [
      {
        name: 'POST …/lock/ answers 404 Not found',
        as: 'prof1', method: 'POST', path: '/api/grading/copies/3/lock/', body: {},
        status: 404, json: { detail: 'Not found.' },
      },
      {
        name: 'DELETE …/lock/release/ answers 404 Not found, even with a lock token',
        as: 'prof1', method: 'DELETE', path: '/api/grading/copies/3/lock/release/', headers: { 'X-Lock-Token': 'x' },
        status: 404, json: { detail: 'Not found.' },
      },
      {
        name: 'GET /api/exams/ with an empty jar answers 403 and sets no csrftoken',
        as: 'anonymous', method: 'GET', path: '/api/exams/',
        status: 403, json: { detail: 'Authentication credentials were not provided.' }, setsCsrf: false,
      },
      {
        name: 'GET /api/exams/<id>/copies/ with an empty jar answers 403 and sets no csrftoken',
        as: 'anonymous', method: 'GET', path: '/api/exams/1/copies/', status: 403, setsCsrf: false,
      },
      {
        name: 'GET /api/health/ answers 200 and sets no csrftoken',
        as: 'anonymous', method: 'GET', path: '/api/health/', status: 200, setsCsrf: false,
      },
      {
        name: 'GET /api/csrf/ answers 200 and sets csrftoken',
        as: 'anonymous', method: 'GET', path: '/api/csrf/',
        status: 200, json: { detail: 'CSRF cookie set' }, setsCsrf: true,
      },
      {
        name: 'GET /api/exams/ logged in answers the DRF page',
        as: 'prof1', method: 'GET', path: '/api/exams/', status: 200,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const res = await (await client(current, c.as)).request(c.method, c.path, { body: c.body, headers: c.headers });
        assert.equal(res.status, c.status, res.text);
        if (c.json !== undefined) assert.deepEqual(res.json, c.json);
        if (c.setsCsrf !== undefined) assert.equal(setsCsrfCookie(res), c.setsCsrf, res.headers.getSetCookie().join(' | '));
      });
    }
  });

  it('logs in with the CSRF token from GET /api/csrf/, which login rotates', async () => {
    const c = new KorrigoClient(current);
    assert.equal((await c.request('GET', '/api/csrf/')).status, 200);
    const fromCsrf = c.cookie('csrftoken');
    assert.ok(fromCsrf);
    const res = await c.request('POST', '/api/login/', { body: { username: 'prof1', password: TEACHER_PASSWORD } });
    assert.equal(res.status, 200, res.text);
    assert.ok(c.cookie('sessionid'));
    assert.notEqual(c.cookie('csrftoken'), fromCsrf, 'login rotates the CSRF token');
    assert.equal((await c.request('GET', '/api/exams/')).status, 200);
  });

  it('refuses a login with no csrftoken: the GET /api/exams/ of the v1 flow gives none', async () => {
    const c = new KorrigoClient(current);
    await c.request('GET', '/api/exams/');
    const res = await c.request('POST', '/api/login/', { body: { username: 'prof1', password: TEACHER_PASSWORD } });
    assert.equal(res.status, 403);
    assert.deepEqual(res.json, { detail: 'CSRF Failed: CSRF cookie not set.' });
  });

  it('takes 3 annotations without any X-Lock-Token on the READY copy of page 2, reset-locks between runs', async () => {
    const c = await client(current, 'prof1');
    for (let i = 1; i <= 3; i++) {
      const run = await runCurrentE2e(c);
      assert.equal(run.copyPagesWalked, 2, 'COPIES_PAGE_SIZE=2 puts the first READY copy on page 2');
      assert.equal(run.copyId, 3);
      assert.equal(run.annotation.status, 201, `run ${i}: ${run.annotation.text}`);
      assert.equal(run.annotation.json.created_by, 'prof1');
      assert.equal(run.list.status, 200);
      assert.equal(run.list.json.count, i);
      const reset = await runCli(['reset-locks'], { ...env, ...CURRENT });
      assert.equal(reset.code, 0, reset.stderr);
      assert.equal(reset.stdout, 'Deleted 0 lock(s); 0 copy(ies) back to READY.\n');
    }
  });

  it('refuses an annotation on a copy that is not READY with 409', async () => {
    const c = await client(current, 'prof1');
    const graded = await c.request('POST', '/api/grading/copies/1/annotations/', {
      body: { page_index: 0, x: 0.1, y: 0.1, w: 0.1, h: 0.1 },
    });
    assert.equal(graded.status, 409);
    assert.match(graded.json.detail, /Copy is GRADED/);
  });

  describe('/metrics', () => {
    const cases: { name: string; server: () => string; headers?: Record<string, string>; query?: string; status: number }[] = [
      { name: 'token set: no token → 403', server: () => current, status: 403 },
      { name: 'token set: right header → 200', server: () => current, headers: { 'X-Metrics-Token': METRICS_TOKEN }, status: 200 },
      { name: 'token set: right ?token= → 200', server: () => current, query: `?token=${METRICS_TOKEN}`, status: 200 },
      { name: 'token empty: no token → 403', server: () => noToken, status: 403 },
      { name: 'token empty: any header → 403', server: () => noToken, headers: { 'X-Metrics-Token': 'guess' }, status: 403 },
      { name: 'token empty: empty ?token= → 403', server: () => noToken, query: '?token=', status: 403 },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const res = await new KorrigoClient(c.server()).request('GET', `/metrics${c.query ?? ''}`, { headers: c.headers });
        assert.equal(res.status, c.status, res.text);
        if (c.status === 200) assert.match(res.text, /^korrigo_db_up 1$/m);
      });
    }

    it('says why when METRICS_TOKEN is empty: a WARNING at start and in the 403 body', async () => {
      const res = await new KorrigoClient(noToken).request('GET', '/metrics');
      assert.equal(res.text, 'Forbidden: METRICS_TOKEN not set in production\n');
      assert.match(noTokenProc.output, /WARNING METRICS_TOKEN not set in production/);
      assert.match(noTokenProc.output, /listening on http:\/\/127\.0\.0\.1:\d+ \(generation: current\)/);
      assert.doesNotMatch(currentProc.output, /METRICS_TOKEN not set/);
    });
  });

  it('v1 keeps the lock routes and, like the seed\'s Korrigo, has no GET /api/csrf/', async () => {
    const anon = new KorrigoClient(v1);
    const csrf = await anon.request('GET', '/api/csrf/');
    assert.equal(csrf.status, 404);
    const exams = await new KorrigoClient(v1).request('GET', '/api/exams/');
    assert.equal(setsCsrfCookie(exams), true);
    const prof = await client(v1, 'prof1');
    const lock = await prof.request('POST', '/api/grading/copies/5/lock/', { body: {} });
    assert.equal(lock.status, 201, lock.text);
    const missing = await prof.request('POST', '/api/grading/copies/5/annotations/', {
      body: { page_index: 0, x: 0.1, y: 0.1, w: 0.1, h: 0.1 },
    });
    assert.deepEqual(missing.json, { detail: 'Missing lock token.' });
    assert.equal((await runCli(['reset-locks'], env)).code, 0);
  });

  it('keeps the fault switches: annotation-400 and metrics-forbidden', async () => {
    const { baseUrl } = await serve({ ...CURRENT, METRICS_TOKEN, KORRIGO_LITE_FAULT: 'annotation-400,metrics-forbidden' });
    const run = await runCurrentE2e(await client(baseUrl, 'prof1'));
    assert.equal(run.annotation.status, 400);
    const metrics = await new KorrigoClient(baseUrl).request('GET', '/metrics', { headers: { 'X-Metrics-Token': METRICS_TOKEN } });
    assert.equal(metrics.status, 403);
  });

  it('zero-pages: the annotation POST on the emptied READY copy answers 400 (the P0 bug)', async () => {
    assert.equal((await runCli(['seed'], { ...env, KORRIGO_LITE_FAULT: 'zero-pages' })).code, 0);
    try {
      const run = await runCurrentE2e(await client(current, 'prof1'));
      assert.equal(run.copyId, 3);
      assert.equal(run.annotation.status, 400, run.annotation.text);
      assert.deepEqual(Object.keys(run.annotation.json), ['page_index']);
    } finally {
      assert.equal((await runCli(['seed'], env)).code, 0);
    }
  });

  it('runs the backend suite for the current generation: all pass, none skipped', async () => {
    const res = await runCli(['test'], { ...env, ...CURRENT });
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /has no lock route/);
    assert.match(res.stdout.trim().split('\n').at(-1) ?? '', /^\d+ passed, 0 failed, 0 skipped in /);
  });

  it('exits 2 on an unknown generation', async () => {
    const res = await runCli(['sanity'], { ...env, KORRIGO_LITE_GENERATION: 'v2' });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /KORRIGO_LITE_GENERATION: unknown generation "v2"; allowed: v1, current/);
  });
});
