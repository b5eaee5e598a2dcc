import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runContractE2e } from './testing/contract-e2e.js';
import { KorrigoClient } from './testing/korrigo-client.js';
import { runCli, startServe, startTestDb, type CliProcess, type TestStack } from './testing/process-harness.js';

const TEACHER_PASSWORD = 'fault-prof';

describe('fault switches (KORRIGO_LITE_FAULT) really break what they name', () => {
  let stack: TestStack;
  let env: Record<string, string>;
  const started: CliProcess[] = [];

  const serve = async (fault: string, extra: Record<string, string> = {}): Promise<{ proc: CliProcess; baseUrl: string }> => {
    const s = await startServe({ ...env, ...extra, KORRIGO_LITE_FAULT: fault });
    started.push(s.proc);
    return s;
  };
  const loggedIn = async (baseUrl: string): Promise<KorrigoClient> => {
    const client = new KorrigoClient(baseUrl);
    assert.equal((await client.login('prof1', TEACHER_PASSWORD)).status, 200);
    return client;
  };
  const fingerprint = async (): Promise<string> =>
    /^fingerprint: (\w+)$/m.exec((await runCli(['fingerprint'], env)).stdout)?.[1] ?? 'missing';

  before(async () => {
    stack = await startTestDb();
    env = { ...stack.env, TEACHER_PASSWORD };
    assert.equal((await runCli(['migrate'], env)).code, 0);
    assert.equal((await runCli(['seed'], env)).code, 0);
  });
  after(async () => {
    for (const proc of started) await proc.stop();
    await stack?.stop();
  });

  it('zero-pages: sanity exits 1 on a READY copy with pages=0 and the annotation POST answers 400', async () => {
    const seeded = await runCli(['seed'], { ...env, KORRIGO_LITE_FAULT: 'zero-pages' });
    assert.equal(seeded.code, 0, seeded.stderr);
    const sanity = await runCli(['sanity'], env);
    assert.equal(sanity.code, 1);
    assert.match(sanity.stdout, /^READY 3 ANON-0003: booklets=1, pages=0$/m);
    const { proc, baseUrl } = await serve('');
    const run = await runContractE2e(await loggedIn(baseUrl));
    assert.equal(run.copyId, 3);
    assert.equal(run.lock.status, 201);
    assert.equal(run.annotation.status, 400);
    await proc.stop();
    // A normal seed repairs the copy.
    assert.equal((await runCli(['reset-locks'], env)).code, 0);
    assert.equal((await runCli(['seed'], env)).code, 0);
    assert.equal((await runCli(['sanity'], env)).code, 0);
  });

  it('annotation-400: the annotation POST answers 400 on a healthy copy', async () => {
    const { proc, baseUrl } = await serve('annotation-400');
    const run = await runContractE2e(await loggedIn(baseUrl));
    assert.equal(run.lock.status, 201);
    assert.equal(run.annotation.status, 400);
    await proc.stop();
    assert.equal((await runCli(['reset-locks'], env)).code, 0);
  });

  it('metrics-public serves /metrics without the token METRICS_TOKEN sets, and with it', async () => {
    const { proc, baseUrl } = await serve('metrics-public', { METRICS_TOKEN: 'a-token' });
    const client = new KorrigoClient(baseUrl);
    assert.equal((await client.request('GET', '/metrics')).status, 200);
    assert.equal((await client.request('GET', '/metrics', { headers: { 'X-Metrics-Token': 'a-token' } })).status, 200);
    await proc.stop();
  });

  it('health-503, metrics-forbidden, error-log and lock-409 each show on one backend', async () => {
    const { proc, baseUrl } = await serve('health-503,metrics-forbidden,error-log,lock-409');
    const client = new KorrigoClient(baseUrl);
    for (const path of ['/api/health/', '/api/health/live/', '/api/health/ready/']) {
      assert.equal((await client.request('GET', path)).status, 503, path);
    }
    assert.equal((await client.request('GET', '/metrics')).status, 403, 'no METRICS_TOKEN set, still 403');
    assert.doesNotMatch(proc.output, /exams\.list/);
    const run = await runContractE2e(await loggedIn(baseUrl));
    assert.equal(run.lock.status, 409);
    assert.match(proc.output, /ERROR exams\.list: unexpected exception/);
    assert.match(proc.output, /^Traceback|Traceback \(most recent call last\)/m);
    await proc.stop();
  });

  it('crash-once: serve exits non-zero about 1 s after its first start, then runs on the next start', async () => {
    const first = await serve('crash-once');
    const code = await first.proc.waitForExit(10_000);
    assert.notEqual(code, null, 'first start must crash');
    assert.notEqual(code, 0);
    assert.match(first.proc.output, /ERROR fatal: backend crashed/);
    const marker = await readFile(join(env.KORRIGO_LITE_STATE_DIR!, 'crash-once.marker'), 'utf8');
    assert.match(marker, /crashed at/);
    const second = await serve('crash-once');
    assert.equal(await second.proc.waitForExit(2500), null, 'second start must keep running');
    assert.equal((await new KorrigoClient(second.baseUrl).request('GET', '/api/health/')).status, 200);
    await second.proc.stop();
  });

  it('ignore-sigterm: serve keeps serving after SIGTERM, stops on SIGINT; without the fault SIGTERM stops it with exit 0', async () => {
    const stubborn = await serve('ignore-sigterm');
    await stubborn.proc.waitFor(/listening/);
    assert.ok(stubborn.proc.signal('SIGTERM'));
    assert.equal(await stubborn.proc.waitForExit(1500), null, 'SIGTERM must be ignored');
    assert.match(stubborn.proc.output, /WARNING SIGTERM ignored \(KORRIGO_LITE_FAULT=ignore-sigterm\)/);
    assert.equal((await new KorrigoClient(stubborn.baseUrl).request('GET', '/api/health/')).status, 200);
    stubborn.proc.signal('SIGINT');
    assert.equal(await stubborn.proc.waitForExit(5000), 0);
    const clean = await serve('');
    await clean.proc.waitFor(/listening/);
    clean.proc.signal('SIGTERM');
    assert.equal(await clean.proc.waitForExit(3000), 0, clean.proc.output);
  });

  it('crash-loop: serve exits non-zero about 1 s after every start', async () => {
    for (let i = 0; i < 2; i++) {
      const { proc } = await serve('crash-loop');
      const code = await proc.waitForExit(10_000);
      assert.ok(code !== null && code !== 0, `start ${i + 1} exit code ${code}`);
    }
  });

  it('fail-test and skip-test: the backend suite reports one failure and one skip, and exits 1', async () => {
    const junit = join(stack.dir, 'faulty.xml');
    const res = await runCli(['test', '--junit', junit], { ...env, KORRIGO_LITE_FAULT: 'fail-test,skip-test' });
    assert.equal(res.code, 1, res.stdout + res.stderr);
    assert.match(res.stdout.trim().split('\n').at(-1) ?? '', /^\d+ passed, 1 failed, 1 skipped in /);
    const xml = await readFile(junit, 'utf8');
    assert.equal((xml.match(/<skipped/g) ?? []).length, 1);
    assert.equal((xml.match(/<failure/g) ?? []).length, 1);
  });

  it('seed-not-idempotent: every seed run changes the data and the fingerprint', async () => {
    const fp0 = await fingerprint();
    const faulty = { ...env, KORRIGO_LITE_FAULT: 'seed-not-idempotent' };
    assert.equal((await runCli(['seed'], faulty)).code, 0);
    const fp1 = await fingerprint();
    assert.equal((await runCli(['seed'], faulty)).code, 0);
    const fp2 = await fingerprint();
    assert.notEqual(fp1, fp0);
    assert.notEqual(fp2, fp1);
    assert.match((await runCli(['sanity'], env)).stdout, /^copies total: 7$/m);
  });
});
