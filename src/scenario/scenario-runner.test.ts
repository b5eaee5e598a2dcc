import { strict as assert } from 'node:assert';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { OutputSink } from '../common/output.js';
import { FakeClock } from '../common/fake-clock.fixture.js';
import { Redactor } from '../common/redactor.js';
import { startFakeDrfServer, type FakeDrfServer } from './fake-drf-server.fixture.js';
import { E2E_EXAMPLE_YAML } from './e2e-example.fixture.js';
import { scenarioSchema } from './scenario-schema.js';
import type { CredentialProbe } from '../model/credential-probe.js';
import { runScenario, type ScenarioResult } from './scenario-runner.js';

interface Harness {
  result: ScenarioResult;
  lines: string[];
  text: string;
  execCalls: string[][];
  redactor: Redactor;
}

type RawScenario = Record<string, unknown> & { setup: Record<string, unknown>[]; each: Record<string, unknown>[]; finally: Record<string, unknown>[] };

let server: FakeDrfServer;

function step(raw: RawScenario, name: string): Record<string, unknown> {
  const found = [...raw.setup, ...raw.each, ...raw.finally].find((s) => s.name === name);
  assert.ok(found, `no step ${name}`);
  return found as Record<string, unknown>;
}

function collect(redactor: Redactor): { sink: OutputSink; lines: string[] } {
  const lines: string[] = [];
  // Like the engine: redaction happens when the line is written, so a secret registered late leaks.
  const sink: OutputSink = {
    write: (chunk) => lines.push(...redactor.redact(String(chunk)).replace(/\n$/, '').split('\n')),
    line: (text) => lines.push(redactor.redact(text)),
  };
  return { sink, lines };
}

async function runExample(
  edit: (raw: RawScenario) => void = () => {},
  opts: { signal?: AbortSignal; env?: Record<string, string>; exitCode?: number; lines?: string[]; redactor?: Redactor; clock?: FakeClock; execMs?: number[]; probes?: Omit<CredentialProbe, 'log'>[] } = {},
): Promise<Harness> {
  const raw = parseYaml(E2E_EXAMPLE_YAML) as RawScenario;
  edit(raw);
  const config = scenarioSchema.parse(raw);
  const redactor = opts.redactor ?? new Redactor();
  const { sink, lines } = opts.lines ? { sink: collect(redactor).sink, lines: opts.lines } : collect(redactor);
  const out: OutputSink = opts.lines ? { write: (c) => opts.lines?.push(redactor.redact(String(c))), line: (t) => opts.lines?.push(redactor.redact(t)) } : sink;
  const execCalls: string[][] = [];
  const result = await runScenario(config, {
    baseUrl: server.baseUrl,
    env: opts.env ?? { TEST_PROF_PASSWORD: server.knobs.password },
    output: out,
    signal: opts.signal ?? new AbortController().signal,
    redactor,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.probes ? { credentialProbes: (p: Omit<CredentialProbe, 'log'>) => opts.probes?.push(p) } : {}),
    exec: async (service, argv, output) => {
      execCalls.push([service, ...argv]);
      // The exec "takes" this long on the fake clock: latency without sleeping.
      await opts.clock?.advance(opts.execMs?.[execCalls.length - 1] ?? 0);
      output.write('0 locks deleted\n');
      server.reset();
      return { exitCode: opts.exitCode ?? 0 };
    },
  });
  return { result, lines, text: lines.join('\n'), execCalls, redactor };
}

const seen = (prefix: string) => server.seen.filter((s) => s.startsWith(prefix));
const E2E_GREP = /E2E.*RUN.*PASSED/;

describe('runScenario against a Django/DRF-like server', () => {
  beforeEach(async () => {
    server = await startFakeDrfServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('live selftest: repeats each request that carried the session once without it; the login (no session yet) never', async () => {
    const probes: Omit<CredentialProbe, 'log'>[] = [];
    server.knobs.open = ['/api/exams/'];
    const h = await runExample(() => {}, { probes });
    assert.equal(h.result.passed, true, h.text);
    const byStep = Object.fromEntries(probes.map((p) => [p.request.split(':')[0], p]));
    assert.equal(byStep['login'], undefined, 'the login carries no session: not repeated');
    // Once per scenario step, not per run.
    assert.equal(probes.length, new Set(probes.map((p) => p.request.split(':')[0])).size);
    // The open API answers without the session: the evidence of a public endpoint.
    assert.equal(byStep['exams']?.status, 200);
    assert.deepEqual(byStep['exams']?.without, ['cookie sessionid']);
    const annotate = probes.find((p) => p.criterion === 'annotation');
    assert.equal(annotate?.status, 403);
    assert.ok(annotate?.without.includes('cookie sessionid'));
    assert.match(h.text, /selftest \(live\): \w+ → POST \/api\/grading\/copies\/42\/annotations\/ without .*→ 403/);
    // The probes' answers set no cookie in the jar and change nothing of the real run.
    assert.equal(seen('POST /api/grading/copies/42/annotations/').length, 4);
  });

  it('passes the reference workflow 3/3 and ends with the closing line', async () => {
    const h = await runExample();
    assert.equal(h.result.passed, true, h.text);
    assert.deepEqual([h.result.runs, h.result.runsPassed, h.result.detail], [3, 3, '3/3 runs passed']);
    assert.equal(h.lines.at(-1), '✅ E2E: 3/3 RUNS PASSED');
    assert.deepEqual(h.lines.filter((l) => l.startsWith('=====')), ['===== E2E RUN 1/3 =====', '===== E2E RUN 2/3 =====', '===== E2E RUN 3/3 =====']);
    assert.deepEqual(h.lines.filter((l) => E2E_GREP.test(l)), ['✅ E2E: 3/3 RUNS PASSED'], 'the seed grep matches the closing line only');
    assert.match(h.text, /^login → POST \/api\/login\/ 200 \(\d+ms\)$/m);
    assert.equal(seen('POST /api/grading/copies/42/annotations/').length, 3);
    assert.equal(seen('DELETE /api/grading/copies/42/lock/release/').length, 3);
    assert.equal(h.execCalls.length, 3);
    assert.equal(h.execCalls[0]?.[0], 'backend');
    assert.deepEqual(h.result.criteria, { annotation: { passed: true, detail: '3/3 passed (POST /api/grading/copies/42/annotations/ → 201)' } });
    assert.doesNotMatch(h.text, /response body/, 'bodies are logged on failure only');
  });

  it('records p50/p95/max and failures per run for every step, and writes them before the closing line', async () => {
    const clock = new FakeClock();
    const h = await runExample(() => {}, { clock, execMs: [100, 200, 900] });
    assert.equal(h.result.passed, true, h.text);
    const reset = h.result.latency.steps.find((s) => s.step === 'reset');
    assert.deepEqual(reset, { step: 'reset', list: 'finally', samples: 3, failures: 0, p50Ms: 200, p95Ms: 900, maxMs: 900 });
    assert.deepEqual(h.result.latency.steps.map((s) => [s.step, s.samples]), [
      ['csrf', 1], ['login', 1], ['exams', 1], ['ready-copy', 3], ['lock', 3], ['annotate', 3], ['list-annotations', 3], ['release', 3], ['reset', 3],
    ]);
    assert.deepEqual(h.result.latency.failuresPerRun, [0, 0, 0]);
    assert.deepEqual(h.result.latency.runDurationsMs, [100, 200, 900]);
    assert.match(h.text, /^ {2}reset +finally +3 +200ms +900ms +900ms +0$/m);
    assert.equal(h.lines.at(-2), 'failures per run: 0 0 0');
    assert.equal(h.lines.at(-1), '✅ E2E: 3/3 RUNS PASSED');
  });

  it('fails the scenario when a step exceeds its latency budget, naming the step and the budget', async () => {
    const clock = new FakeClock();
    const h = await runExample((raw) => (step(raw, 'reset')['latency'] = { p95: '500ms' }), { clock, execMs: [100, 200, 900] });
    assert.equal(h.result.passed, false);
    assert.equal(h.result.runsPassed, 3);
    assert.equal(h.result.detail, '3/3 runs passed but over the latency budget: reset p95 900ms > 500ms');
    assert.equal(h.lines.at(-1), '❌ E2E: LATENCY OVER BUDGET: reset p95 900ms > 500ms');
    assert.equal(h.lines.filter((l) => E2E_GREP.test(l)).length, 0, 'the seed grep finds no PASSED line');
    assert.deepEqual(h.result.latency.steps.find((s) => s.step === 'reset')?.exceeded, ['p95 900ms > 500ms']);
  });

  it('applies defaults.latency to every step without its own, and a step budget that holds passes', async () => {
    const clock = new FakeClock();
    const within = await runExample((raw) => {
      raw['defaults'] = { ...(raw['defaults'] as object), latency: { max: '1s' } };
    }, { clock, execMs: [100, 200, 900] });
    assert.equal(within.result.passed, true, within.text);
    assert.match(within.text, /^ {2}reset +finally +3 +200ms +900ms +900ms +0 +within budget$/m);
    await server.close();
    server = await startFakeDrfServer();
    const over = await runExample((raw) => {
      raw['defaults'] = { ...(raw['defaults'] as object), latency: { max: '800ms' } };
    }, { clock, execMs: [100, 200, 900] });
    assert.equal(over.result.passed, false);
    assert.match(over.result.detail, /over the latency budget: reset max 900ms > 800ms$/);
  });

  it('follows DRF next links (rebased on the base URL) until the READY copy is found', async () => {
    const h = await runExample((raw) => (raw.runs = 1));
    assert.equal(h.result.passed, true, h.text);
    assert.deepEqual(seen('GET /api/exams/1/copies/'), ['GET /api/exams/1/copies/', 'GET /api/exams/1/copies/?page=2', 'GET /api/exams/1/copies/?page=3']);
    assert.deepEqual(seen('POST /api/grading/copies/'), ['POST /api/grading/copies/42/lock/', 'POST /api/grading/copies/42/annotations/']);
  });

  it('fails run 1 at annotate on a 400, still releases the lock, and runs nothing more', async () => {
    server.knobs.annotationStatus = 400;
    const h = await runExample();
    assert.equal(h.result.passed, false);
    assert.deepEqual([h.result.runsPassed, h.result.detail], [0, 'run 1/3 failed at annotate: POST /api/grading/copies/42/annotations/ → 400 (expected 201)']);
    assert.equal(h.lines.at(-1), '❌ E2E: RUN 1/3 FAILED at step annotate: POST /api/grading/copies/42/annotations/ → 400 (expected 201)');
    assert.equal(h.result.criteria.annotation?.passed, false);
    assert.match(h.result.criteria.annotation?.detail ?? '', /run 1\/3 annotate: .*400/);
    assert.deepEqual(seen('DELETE'), ['DELETE /api/grading/copies/42/lock/release/'], 'finally released the lock');
    assert.equal(h.execCalls.length, 1, 'finally reset ran');
    assert.deepEqual(h.lines.filter((l) => l.startsWith('=====')), ['===== E2E RUN 1/3 ====='], 'runs 2 and 3 not run');
    assert.match(h.text, /response body \(HTTP 400, \d+ chars\):\n {2}.*Copy has no pages/);
    assert.equal(h.lines.filter((l) => E2E_GREP.test(l)).length, 0, 'the seed grep finds no PASSED line');
  });

  it('fails clearly when no page has the capture, and skips the release guarded by if', async () => {
    server.knobs.readyCopy = false;
    const h = await runExample();
    assert.equal(h.result.passed, false);
    assert.equal(
      h.result.detail,
      "run 1/3 failed at ready-copy: GET /api/exams/1/copies/?page=3 → 200: capture copy failed: no page had $.results[?(@.status=='READY')].id (3 pages)",
    );
    assert.match(h.text, /^release skipped \(if: lockToken — lockToken is not set\)$/m);
    assert.equal(seen('DELETE').length, 0);
    assert.deepEqual(h.result.criteria.annotation, { passed: false, detail: 'not run' });
  });

  it('retries a failing step until the server answers, and fails the scenario on the step that passed only after a retry, counting it', async () => {
    server.knobs.examsFailures = 2;
    const h = await runExample((raw) => {
      raw.runs = 1;
      step(raw, 'exams').retry = { attempts: 3, interval: '10ms' };
    });
    assert.match(h.text, /exams: attempt 1\/3 failed \(GET \/api\/exams\/ → 503 \(expected 200\)\); retrying in 10ms/);
    assert.equal(server.seen.filter((s) => s === 'GET /api/exams/').length, 4, 'csrf + 3 attempts');
    assert.equal(h.result.passed, false, h.text);
    assert.equal(h.result.detail, '1/1 runs passed (1 step passed only after a retry: exams ×1)');
    assert.deepEqual(h.result.retries, [{ step: 'exams', times: 1, retries: 2 }]);
    assert.match(h.text, /^exams passed only on attempt 3\/3 \(after 2 retries\)$/m);
    assert.match(h.text, /^RETRIES: 1 step passed only after a retry: exams ×1$/m);
    assert.match(h.lines.at(-1) ?? '', /^❌ E2E: 1\/1 runs passed \(1 step passed only after a retry: exams ×1\); each fails E2E unless the step sets allowRetries/);
    assert.doesNotMatch(h.text, /E2E.*RUN.*PASSED/, "the seed's grep must not read it as a pass");
  });

  it('accepts a step that passed only after a retry when the step says why (allowRetries), as a deviation', async () => {
    server.knobs.examsFailures = 1;
    const h = await runExample((raw) => {
      raw.runs = 1;
      Object.assign(step(raw, 'exams'), { retry: { attempts: 3, interval: '10ms' }, allowRetries: 'cold cache after deploy' });
    });
    assert.equal(h.result.passed, true, h.text);
    assert.equal(h.result.detail, '1/1 runs passed (1 step passed only after a retry: exams ×1 (accepted: cold cache after deploy))');
    assert.deepEqual(h.result.acceptedRetries('12_e2e'), ['12_e2e: exams passed only after a retry ×1 (accepted: cold cache after deploy)']);
    assert.match(h.lines.at(-1) ?? '', /^✅ E2E: 1\/1 RUNS PASSED \(1 step passed only after a retry: exams ×1 \(accepted: cold cache after deploy\)\)$/);
  });

  it('counts no retry when every step passed at its first attempt', async () => {
    const h = await runExample((raw) => (step(raw, 'exams').retry = { attempts: 3, interval: '10ms' }));
    assert.equal(h.result.passed, true, h.text);
    assert.deepEqual(h.result.retries, []);
    assert.equal(h.result.detail, '3/3 runs passed');
  });

  it('gives up after the last attempt and says how many were made', async () => {
    server.knobs.examsFailures = 5;
    const h = await runExample((raw) => (step(raw, 'exams').retry = { attempts: 2, interval: '10ms' }));
    assert.equal(h.result.detail, 'setup failed at exams: GET /api/exams/ → 503 (expected 200) (after 2 attempts)');
    assert.equal(h.lines.at(-1), '❌ E2E: SETUP FAILED at step exams: GET /api/exams/ → 503 (expected 200) (after 2 attempts)');
  });

  it('fails a step that exceeds its timeout, without waiting for the server', async () => {
    server.knobs.delays = { 'POST /api/grading/copies/42/annotations/': 3000 };
    const started = Date.now();
    const h = await runExample((raw) => (step(raw, 'annotate').timeout = '100ms'));
    assert.ok(Date.now() - started < 2500, `took ${Date.now() - started}ms`);
    assert.match(h.result.detail, /^run 1\/3 failed at annotate: POST \/api\/grading\/copies\/42\/annotations\/ timed out after 100ms$/);
    assert.equal(seen('DELETE').length, 1, 'release still ran');
  });

  it('stops at once on abort, still releases the lock, then rethrows the abort', async () => {
    server.knobs.delays = { 'POST /api/grading/copies/42/annotations/': 5000 };
    const controller = new AbortController();
    const lines: string[] = [];
    const timer = setInterval(() => {
      if (seen('POST /api/grading/copies/42/annotations/').length > 0) controller.abort(new Error('SIGINT'));
    }, 10);
    const started = Date.now();
    try {
      await assert.rejects(runExample(() => {}, { signal: controller.signal, lines }), /SIGINT/);
    } finally {
      clearInterval(timer);
    }
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started}ms`);
    assert.deepEqual(seen('DELETE'), ['DELETE /api/grading/copies/42/lock/release/']);
    assert.equal(lines.at(-1), '❌ E2E: INTERRUPTED during run 1/3');
    assert.equal(lines.filter((l) => l.startsWith('=====')).length, 1);
  });

  it('registers cookies and secret captures before logging a body that holds them', async () => {
    server.knobs.lockStatus = 200;
    const h = await runExample((raw) => {
      const lock = step(raw, 'lock');
      lock.expect = { status: 201 };
      // A secret whose key the credential heuristic does not know: only `secret: true` hides it.
      lock.capture = { lockToken: { path: '$.token', secret: true }, expiry: { path: '$.expires_at', secret: true } };
    });
    assert.ok(!h.text.includes('2026-01-01T00:10:00Z'), 'secret capture leaked');
    assert.match(h.text, /"expires_at":"\[REDACTED\]"/);
    assert.match(h.result.detail, /failed at lock: POST \/api\/grading\/copies\/42\/lock\/ → 200 \(expected 201\)/);
    assert.match(h.text, /"token":"\[REDACTED\]"/);
    const token = server.issuedSecrets.at(-1) ?? '';
    assert.ok(token.length > 0);
    assert.equal(h.redactor.redact(token), '[REDACTED]');
    for (const value of [...server.issuedSecrets, server.knobs.password]) assert.ok(!h.text.includes(value), `${value} leaked`);
  });

  it('never logs cookie values, lock tokens or the password on a passing run either', async () => {
    server.knobs.annotationStatus = 400;
    const h = await runExample();
    assert.ok(server.issuedSecrets.length >= 4, 'csrf, session, rotated csrf, lock token');
    for (const value of server.issuedSecrets) assert.equal(h.redactor.redact(value), '[REDACTED]');
    for (const value of [...server.issuedSecrets, server.knobs.password]) assert.ok(!h.text.includes(value), `${value} leaked`);
  });

  it('names the template variable and the step when env lacks a value, without retrying', async () => {
    const h = await runExample((raw) => (step(raw, 'login').retry = { attempts: 3, interval: '10ms' }), { env: {} });
    assert.equal(
      h.result.detail,
      'setup failed at login: unknown template variable "env.TEST_PROF_PASSWORD" (environment variable TEST_PROF_PASSWORD is not set)',
    );
    assert.equal(seen('POST /api/login/').length, 0);
  });

  it('names a missing cookie by the request that should have set it, not as a template error', async () => {
    server.knobs.cookieless = ['/api/exams/'];
    const h = await runExample(() => {});
    assert.match(h.result.detail, /^setup failed at login: no csrftoken cookie after GET \/api\/exams\/ \(status 403\); cookies in the jar: none$/);
  });

  it('asks for the cookie where the app has an endpoint for it, and falls back where it has none', async () => {
    // The endpoint path of this fake server sets no cookie: the fallback runs and gets it.
    server.knobs.cookieless = ['/api/csrf/'];
    const h = await runExample((raw) => {
      raw.setup.unshift({ name: 'csrf-endpoint', request: { method: 'GET', url: '/api/csrf/' }, expect: { status: [200, 403, 404] } });
      step(raw, 'csrf')['if'] = '!cookie.csrftoken';
    });
    assert.equal(h.result.passed, true, h.result.detail);
    assert.match(h.text, /csrf → GET \/api\/exams\/ 403/);
    // And where the endpoint gives the cookie, the fallback is skipped and says why.
    server.knobs.cookieless = [];
    const again = await runExample((raw) => {
      raw.setup.unshift({ name: 'csrf-endpoint', request: { method: 'GET', url: '/api/csrf/' }, expect: { status: [200, 403, 404] } });
      step(raw, 'csrf')['if'] = '!cookie.csrftoken';
    });
    assert.match(again.text, /csrf skipped \(if: !cookie\.csrftoken — cookie\.csrftoken is set\)/);
  });

  it('fails the run when an exec step exits non-zero, after the rest of finally', async () => {
    const h = await runExample(() => {}, { exitCode: 1 });
    assert.equal(h.result.detail, 'run 1/3 failed at reset: exec in backend: python → exit 1 (expected 0)');
    assert.equal(h.result.criteria.annotation?.passed, true, 'the annotation itself passed');
    assert.match(h.text, /^0 locks deleted$/m, 'exec output is streamed to the step log');
  });

  it('fails every criterion as not run when setup fails', async () => {
    const h = await runExample(() => {}, { env: { TEST_PROF_PASSWORD: 'wrong-password' } });
    assert.equal(h.lines.at(-1), '❌ E2E: SETUP FAILED at step login: POST /api/login/ → 400 (expected 200)');
    assert.deepEqual(h.result.criteria, { annotation: { passed: false, detail: 'not run' } });
    assert.equal(h.result.runsPassed, 0);
  });

  it('counts annotations in a DRF page as well as in a bare list', async () => {
    server.knobs.listShape = 'page';
    const h = await runExample((raw) => (raw.runs = 2));
    assert.equal(h.result.passed, true, h.text);
  });

  it('fails the assertion when the list is empty', async () => {
    const h = await runExample((raw) => {
      raw.runs = 1;
      raw.each = raw.each.filter((s) => s.name !== 'annotate');
    });
    assert.match(h.result.detail, /failed at list-annotations: GET \/api\/grading\/copies\/42\/annotations\/ → 200: assert \$\[count,length\] > 0: got 0$/);
  });
});
