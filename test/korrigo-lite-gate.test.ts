import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, processesWith, ROOT, runCli, sampleDataDir, tempDir, canConnect } from './helpers.js';
import { CRITERIA } from './korrigo-lite-docker.js';

/*
 * The Korrigo preset end to end on the bundled sample (local driver, real processes, real
 * PostgreSQL wire protocol, real HTTP): the healthy run, every fault switch of korrigo-lite,
 * and secrets never reaching an artifact.
 */

const SAMPLE = join(ROOT, 'examples/korrigo-lite');
const CONFIG = join(SAMPLE, 'release-gate.yml');
const SEED_LOGS = [
  '00_compose_down', '01_build_nocache', '02_up', '03_ps_initial', '04_wait_health', '05_wait_metrics',
  '06_stability_5s', '07_migrate', '08_seed_run1', '09_seed_run2', '10_reset_prof_password', '11_db_sanity',
  '12_e2e_3runs', '13_pytest_full', '14_compose_logs', '15_backend_logs_tail', '16_ps_final', '17_validation_summary',
].map((name) => `${name}.log`);

interface SummaryJson {
  verdict: string;
  stoppedAt?: string;
  steps: { log: string; phase: string; status: string; detail: string; startedAt?: string; endedAt?: string; stops?: { service: string; signal: string; exitCode: number | null; stopMs: number; graceMs: number; killed: boolean; running: boolean }[] }[];
  phases: { id: string }[];
  counts: Record<string, number>;
}

/** An initialised embedded database, copied into each fault run: PGlite's initdb costs ~15 s. */
let templateDir = '';

before(async () => {
  templateDir = tempDir('rg-pg-template-');
  const port = await freePort();
  const db = spawn(process.execPath, [join(SAMPLE, 'dist/cli.js'), 'db', '--port', String(port), '--data-dir', join(templateDir, 'pg')], {
    cwd: SAMPLE,
    detached: true,
    stdio: 'ignore',
  });
  const deadline = Date.now() + 120_000;
  while (!(await canConnect(port))) {
    if (Date.now() > deadline) throw new Error('template database did not start in 120s');
    await new Promise((r) => setTimeout(r, 200));
  }
  const exited = new Promise((r) => db.once('exit', r));
  process.kill(-(db.pid as number), 'SIGTERM');
  await exited;
});

after(() => rmSync(templateDir, { recursive: true, force: true }));
/** The runs' data dirs (inside the sample): removed once every test has looked at them. */
const dataDirs: string[] = [];
after(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});


interface SampleRun {
  code: number | null;
  stdout: string;
  logDir: string;
  dataDir: string;
  summary: string;
  json: SummaryJson;
  read(name: string): string;
  line(title: string): string;
}

async function sampleGate(opts: { fault?: string; full?: boolean; env?: Record<string, string> } = {}): Promise<SampleRun> {
  const dataDir = sampleDataDir('kl-');
  dataDirs.push(dataDir);
  const logDir = join(tempDir('rg-kl-logs-'), 'logs');
  const buildDir = `build-test-${Math.random().toString(36).slice(2, 8)}`;
  if (!opts.full) cpSync(join(templateDir, 'pg'), join(dataDir, 'pg'), { recursive: true });
  const args = ['run', '--config', CONFIG, '--stability', '5s', '--log-dir', logDir, ...(opts.full ? [] : ['--skip', 'clean,A'])];
  try {
    const run = await runCli(args, {
      cwd: ROOT,
      env: {
        KORRIGO_LITE_PORT: String(await freePort()),
        KORRIGO_LITE_DB_PORT: String(await freePort()),
        KORRIGO_LITE_DATA_DIR: dataDir,
        // Fault runs use the build `npm ci` made; the full run builds its own, without cache.
        KORRIGO_LITE_BUILD_DIR: opts.full ? buildDir : 'dist',
        KORRIGO_LITE_WAIT_TIMEOUT: '10s',
        KORRIGO_LITE_FAULT: opts.fault ?? '',
        ...opts.env,
      },
    });
    const read = (name: string) => readFileSync(join(logDir, name), 'utf8');
    const summary = existsSync(join(logDir, '17_validation_summary.log')) ? read('17_validation_summary.log') : '';
    const json = JSON.parse(read('summary.json')) as SummaryJson;
    const line = (title: string) => summary.split('\n').find((l) => /[✅❌]/.test(l) && l.includes(` ${title}:`)) ?? '';
    return { code: run.code, stdout: run.stdout + run.stderr, logDir, dataDir, summary, json, read, line };
  } finally {
    rmSync(join(SAMPLE, buildDir), { recursive: true, force: true });
  }
}

/** The criteria lines and the tail of each failed step's log: what a failing assertion shows. */
function evidence(run: SampleRun): string {
  const marks = run.summary.split('\n').filter((l) => /[✅❌]/.test(l));
  const failed = run.json.steps.filter((s) => s.status === 'failed').map((s) => `--- ${s.log} ---\n${run.read(s.log).split('\n').slice(-25).join('\n')}`);
  return [...marks, ...failed].join('\n');
}

/** Every process the run started (pids from the up log and the service logs) is gone. */
function assertNothingLeft(run: SampleRun): void {
  const text = ['02_up.log', '14_compose_logs.log'].filter((f) => existsSync(join(run.logDir, f))).map(run.read).join('\n');
  const pids = [...text.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
  const alive = pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  assert.deepEqual(alive, [], `processes left running: ${alive.join(', ')}`);
  assert.deepEqual(processesWith(run.dataDir), []);
}

/**
 * Shutdown ✅ with its evidence in summary.json: backend and worker (5 s grace), then db (10 s),
 * each sent SIGTERM and gone with exit 0 well within its grace, dependents before the database.
 */
function assertCleanShutdown(run: SampleRun): void {
  assert.match(run.line('Shutdown'), /✅ Shutdown: 3\/3 stopped cleanly within their grace/, evidence(run));
  const stops = run.json.steps.find((s) => s.log === '20_shutdown.log')?.stops ?? [];
  assert.deepEqual(stops.map((s) => [s.service, s.signal, s.graceMs, s.exitCode, s.killed]).sort(), [
    ['backend', 'SIGTERM', 5000, 0, false],
    ['db', 'SIGTERM', 10_000, 0, false],
    ['worker', 'SIGTERM', 5000, 0, false],
  ]);
  for (const s of stops) assert.ok(s.stopMs >= 0 && s.stopMs < s.graceMs, `${s.service} took ${s.stopMs} ms`);
  const log = run.read('20_shutdown.log');
  const levels = [...log.matchAll(/stopping (.+)$/gm)].map((m) => (m[1] ?? '').split(', ').sort());
  assert.deepEqual(levels, [['backend', 'worker'], ['db']], log);
}

/**
 * Fail fast: no step of a normal phase started after the gate learnt of the failure; logs (G)
 * and summary (H) still ran. The stability watch overlaps the later phases: when it is what
 * stopped the gate, the step running at the crash may finish, none may start after it.
 */
function assertStoppedAfterFailure(run: SampleRun): void {
  const steps = run.json.steps;
  const stop = steps.findIndex((s) => s.log === run.json.stoppedAt);
  assert.ok(stop >= 0, `no step stopped the gate (stoppedAt: ${run.json.stoppedAt})`);
  const stopStep = steps[stop] as (typeof steps)[number];
  const firstProblem = /UNSTABLE \S+ at (\S+):/.exec(stopStep.log.startsWith('06_') ? run.read(stopStep.log) : '')?.[1];
  // Events reach the gate a moment after they happen (Docker's event stream): a small margin.
  const learnt = firstProblem ? Date.parse(firstProblem) + 1000 : Date.parse(stopStep.endedAt ?? '');
  const normalAfter = steps
    .slice(stop + 1)
    .filter((s) => !['G', 'S', 'H'].includes(s.phase) && s.status !== 'not-run' && Date.parse(s.startedAt ?? '') > learnt);
  assert.deepEqual(normalAfter.map((s) => s.log), [], 'steps started after the failure');
  for (const log of ['14_compose_logs.log', '15_backend_logs_tail.log', '16_ps_final.log', '17_validation_summary.log']) {
    assert.ok(existsSync(join(run.logDir, log)), `${log} missing after a failure`);
  }
}

describe('the korrigo gate on korrigo-lite', () => {
  it('passes end to end: 18 logs, every criterion ✅, the seed quick checks, no secret in any artifact, nothing left running', async () => {
    const recorder = await startRecordingProxy();
    const secrets = {
      ADMIN_PASSWORD: 'admin-Pw-7f3a9c1e',
      TEACHER_PASSWORD: 'teacher-Pw-52be04d9',
      TEST_PROF_PASSWORD: 'prof-Pw-e81c6a2b',
      METRICS_TOKEN: 'metrics-tok-0d9f4e7a1b2c',
    };
    try {
      const backendPort = await freePort();
      recorder.setTarget(backendPort);
      const run = await sampleGate({
        full: true,
        env: { ...secrets, KORRIGO_LITE_PORT: String(backendPort), NGINX_BASE_URL: `http://127.0.0.1:${recorder.port}` },
      });
      assert.equal(run.code, 0, evidence(run));
      for (const log of SEED_LOGS) assert.ok(existsSync(join(run.logDir, log)), `${log} missing`);
      const marks = run.summary.split('\n').filter((l) => /✅|❌/.test(l));
      // The restore drill: the copy reads like the live data, and its restore time is reported.
      assert.match(run.line('Restore'), /✅ Restore: restored copy equals the live data \(\d+ probe lines\); restore took \S+ \(rto 1m/);
      assert.ok((run.json.counts['restore.ms'] ?? 0) > 0, JSON.stringify(run.json.counts));
      assert.match(run.read('18_restore_drill.log'), /--- cleanup: \[backend\] .*drop-schema release_gate_restore/);
      assert.equal(marks.length, CRITERIA.length, marks.join('\n'));
      for (const title of CRITERIA) assert.match(run.line(title), /✅/, `${title}: ${run.line(title)}`);
      assert.match(run.line('Boot'), /3\/3 running\+healthy/);
      assertCleanShutdown(run);
      // The seed's quick checks.
      assert.match(run.read('13_pytest_full.log').split('\n').filter((l) => l.includes('passed')).at(-1) ?? '', /\d+ passed, 0 failed/);
      assert.equal(run.read('11_db_sanity.log').split('\n').filter((l) => l.includes('pages=')).length, 3);
      assert.match(run.read('12_e2e_3runs.log'), /E2E.*RUN.*PASSED/);
      // No READY copy on the first page: the scenario had to follow `next`.
      assert.match(run.read('12_e2e_3runs.log'), /copies\/\?page=2/);
      // Secrets: declared ones, and every session id, CSRF token and lock token the gate saw.
      const seen = recorder.values();
      assert.ok(seen.some((v) => v.name === 'sessionid') && seen.some((v) => v.name === 'csrftoken') && seen.some((v) => v.name === 'token'), JSON.stringify(seen.map((v) => v.name)));
      const values = [...Object.values(secrets), ...seen.map((v) => v.value)];
      for (const file of readdirSync(run.logDir)) {
        const text = readFileSync(join(run.logDir, file), 'utf8');
        for (const value of values) assert.ok(!text.includes(value), `${file} contains a secret (${value.slice(0, 4)}…)`);
      }
      assertNothingLeft(run);
    } finally {
      await recorder.close();
    }
  });

  const faults: { fault: string; failing: RegExp; stopped: boolean }[] = [
    { fault: 'zero-pages', failing: /❌ Pages > 0:.*pages=0|❌ Pages > 0:/, stopped: true },
    { fault: 'annotation-400', failing: /❌ E2E:.*annotate/, stopped: true },
    { fault: 'metrics-forbidden', failing: /❌ Boot:.*\/metrics.*403/, stopped: true },
    { fault: 'seed-not-idempotent', failing: /❌ Seed idempotent:.*not idempotent/, stopped: true },
    { fault: 'crash-once', failing: /❌ Stability:.*backend/, stopped: true },
    { fault: 'crash-loop', failing: /❌ (Boot|Stability):.*backend/, stopped: true },
    { fault: 'health-503', failing: /❌ Boot:.*backend/, stopped: true },
    { fault: 'migrate-fail', failing: /❌ Migrations:.*exit code 1/, stopped: true },
    { fault: 'pending-migration', failing: /❌ Migrations: model changes without a migration: exams\.Copy.*exit code 1/, stopped: true },
    { fault: 'error-log', failing: /❌ Warnings:.*unallowed error line/, stopped: false },
    { fault: 'fail-test', failing: /❌ Tests:.*1 failed/, stopped: true },
    { fault: 'skip-test', failing: /❌ Tests:.*1 skipped/, stopped: true },
    { fault: 'lock-409', failing: /❌ E2E:.*lock.*409/, stopped: true },
  ];

  describe('graceful shutdown, judged at teardown', { concurrency: 2 }, () => {
    it('a healthy short run: Shutdown ✅ and Stability ✅ (the watch gave its verdict before the stop), the stop times in summary.json', async () => {
      const run = await sampleGate();
      assert.equal(run.code, 0, evidence(run));
      assert.match(run.line('Stability'), /✅ Stability: 0 restarts, 0 exits/, evidence(run));
      assertCleanShutdown(run);
      const times = (log: string) => run.json.steps.find((s) => s.log === log);
      // Phase S after the log capture and the stability verdict, before the summary.
      assert.ok(Date.parse(times('20_shutdown.log')?.startedAt ?? '') >= Date.parse(times('06_stability_5s.log')?.endedAt ?? ''), 'the stop began before the stability verdict');
      assert.deepEqual(run.json.phases.map((p) => p.id).slice(-2), ['S', 'H']);
      assertNothingLeft(run);
    });

    it('KORRIGO_LITE_FAULT=ignore-sigterm: exactly Shutdown ❌, naming the backend, its grace and its stop time', async () => {
      const run = await sampleGate({ fault: 'ignore-sigterm' });
      assert.equal(run.code, 1, evidence(run));
      assert.match(run.line('Shutdown'), /❌ Shutdown: backend ignored SIGTERM: killed after its 5s grace \(exit 137\) \(2\/3 stopped cleanly\)/, evidence(run));
      for (const title of CRITERIA.filter((t) => t !== 'Shutdown' && t !== 'Build')) assert.match(run.line(title), /✅/, `${title}: ${run.line(title)}`);
      const backend = run.json.steps.find((s) => s.log === '20_shutdown.log')?.stops?.find((s) => s.service === 'backend');
      assert.ok(backend && backend.killed && backend.exitCode === 137 && backend.stopMs >= 5000 && backend.stopMs < 7000, JSON.stringify(backend));
      const log = run.read('20_shutdown.log');
      assert.match(log, /backend: SIGTERM, grace 5s → still running after its grace: SIGKILL, exit 137 after 5\.\ds/, log);
      assert.match(log, /WARNING SIGTERM ignored \(KORRIGO_LITE_FAULT=ignore-sigterm\)/, 'the backend log lines under the verdict');
      assertNothingLeft(run);
    });
  });

  describe('fails the gate on each korrigo-lite fault switch', { concurrency: 2 }, () => {
    for (const { fault, failing, stopped } of faults) {
      it(`KORRIGO_LITE_FAULT=${fault}: exit 1, the right ❌ line, nothing run after it but logs and summary, nothing left`, async () => {
        const run = await sampleGate({ fault });
        assert.equal(run.code, 1, evidence(run));
        assert.match(run.summary, failing, evidence(run));
        // One defect, one red: nothing the gate never reached reads ❌.
        assert.doesNotMatch(run.summary, /❌[^\n]*(not run|not judged)/, evidence(run));
        if (stopped) assertStoppedAfterFailure(run);
        assertNothingLeft(run);
      });
    }
  });

  it('KORRIGO_LITE_FAULT=restore-differs: exactly Restore is ❌, naming the table the backup left out, and the copy is dropped', async () => {
    const run = await sampleGate({ fault: 'restore-differs' });
    assert.equal(run.code, 1, evidence(run));
    assert.match(run.line('Restore'), /❌ Restore: restored copy differs from the live data at probe line \d+: live "pages: \d+", restored "pages: 0"/, evidence(run));
    for (const title of CRITERIA.filter((t) => !['Restore', 'Build', 'Upgrade'].includes(t))) assert.match(run.line(title), /✅/, `${title}: ${run.line(title)}\n${evidence(run)}`);
    // One defect, one red: the upgrade drill runs only on a passing gate, so it is not judged.
    assert.match(run.summary, /– Upgrade: .*runs only on a passing gate \(18_restore_drill\.log/, run.summary);
    const log = run.read('18_restore_drill.log');
    assert.match(log, /^\S+ -pages: \d+$/m);
    assert.match(log, /^\S+ \+pages: 0$/m);
    assert.match(log, /Dropped schema release_gate_restore/);
    assert.ok((run.json.counts['restore.ms'] ?? 0) > 0);
    assertNothingLeft(run);
  });

  describe('the preset on both app generations (docs/korrigo.md: a current checkout)', { concurrency: 2 }, () => {
    const current = { KORRIGO_LITE_GENERATION: 'current', METRICS_TOKEN: 'current-metrics-t0ken' };

    it('gates the current generation with the one switch KORRIGO_LOCKS=off, shown in the console, the log and the summary', async () => {
      const run = await sampleGate({ env: { ...current, KORRIGO_LOCKS: 'off' } });
      assert.equal(run.code, 0, evidence(run));
      assert.match(run.stdout, /switch KORRIGO_LOCKS=off/);
      assert.match(run.summary, /Switches: KORRIGO_LOCKS=off, KORRIGO_METRICS_VIA=auto/);
      const e2e = run.read('12_e2e_3runs.log');
      // The cookie comes from /api/csrf/ (GET /api/exams/ sets none there); no lock route is called.
      assert.match(e2e, /csrf → GET \/api\/csrf\/ 200/);
      assert.match(e2e, /lock skipped \(if: env\.KORRIGO_LOCKS != off — env\.KORRIGO_LOCKS is "off"\)/);
      assert.equal(e2e.match(/annotate-unlocked → POST \/api\/grading\/copies\/\d+\/annotations\/ 201/g)?.length, 3);
      assert.match(run.line('Annotation POST'), /✅/);
      assert.match(e2e, /✅ E2E: 3\/3 RUNS PASSED/);
      assertNothingLeft(run);
    });

    it('fails the seed workflow on the current generation at the lock route, naming the switch to set', async () => {
      const run = await sampleGate({ env: current });
      assert.equal(run.code, 1, evidence(run));
      assert.match(run.line('E2E'), /❌ E2E: run 1\/3 failed at lock: POST \/api\/grading\/copies\/\d+\/lock\/ → 404 .*hint: .*run with KORRIGO_LOCKS=off/);
      assertNothingLeft(run);
    });
  });
});

interface RecordedValue {
  name: string;
  value: string;
}

/**
 * A recording HTTP proxy in front of the backend (loopback only): forwards every request and
 * keeps each cookie value and JSON `token` the gate received, so the test knows the runtime
 * secrets (session ids, CSRF and lock tokens) it must never find in an artifact.
 */
async function startRecordingProxy(): Promise<{ port: number; values(): RecordedValue[]; close(): Promise<void>; setTarget(port: number): void }> {
  const recorded: RecordedValue[] = [];
  let target = 0;
  const server = createServer((req, res) => {
    const upstream = request(
      { host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: { ...req.headers, host: req.headers.host ?? '' } },
      (answer: IncomingMessage) => {
        for (const cookie of answer.headers['set-cookie'] ?? []) {
          const [pair] = cookie.split(';');
          const [name, value] = (pair ?? '').split('=');
          if (name && value && value.length >= 6) recorded.push({ name: name.trim(), value: value.trim() });
        }
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          const token = /"token"\s*:\s*"([^"]{6,})"/.exec(body.toString('utf8'))?.[1];
          if (token) recorded.push({ name: 'token', value: token });
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(body);
        });
      },
    );
    upstream.on('error', () => {
      res.statusCode = 502;
      res.end('proxy: backend unreachable');
    });
    req.pipe(upstream);
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    }),
  );
  return {
    port,
    values: () => recorded,
    setTarget: (p) => (target = p),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
