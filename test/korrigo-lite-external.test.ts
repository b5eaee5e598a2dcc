import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, ROOT, runCli, tempDir } from './helpers.js';
import { CRITERIA } from './korrigo-lite-docker.js';

/*
 * The external driver on a real deployment it did not start: korrigo-lite's db, backend and
 * worker run here as plain processes (started by this test, as an operator would), and the
 * Korrigo gate checks them through HTTP, `stack.exec` and `stack.logs`. Its lifecycle steps are
 * "n/a", never ✅, and the gate leaves the target running.
 */

const SAMPLE = join(ROOT, 'examples/korrigo-lite');
const CONFIG = join(SAMPLE, 'release-gate.external.yml');
const CLI_JS = join(SAMPLE, 'dist/cli.js');

let dataDir = '';
let env: Record<string, string> = {};
const processes: ChildProcess[] = [];

/** Starts one korrigo-lite command detached, its output in `<dataDir>/logs/<name>.log` (what stack.logs reads). */
function start(name: string, args: string[], extra: Record<string, string> = {}): ChildProcess {
  const out = openSync(join(dataDir, 'logs', `${name}.log`), 'a');
  const child = spawn(process.execPath, [CLI_JS, ...args], { cwd: SAMPLE, env: { ...process.env, ...env, ...extra }, detached: true, stdio: ['ignore', out, out] });
  processes.push(child);
  return child;
}

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_JS, ...args], { cwd: SAMPLE, env: { ...process.env, ...env }, stdio: 'ignore' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`korrigo-lite ${args.join(' ')} exited ${code}`))));
  });
}

function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', () => resolve(0));
    req.end();
  });
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs}ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const alive = (child: ChildProcess) => {
  try {
    process.kill(child.pid as number, 0);
    return true;
  } catch {
    return false;
  }
};

let backendUrl = '';

before(async () => {
  dataDir = tempDir('rg-kl-external-');
  mkdirSync(join(dataDir, 'logs'));
  const dbPort = await freePort();
  const port = await freePort();
  backendUrl = `http://127.0.0.1:${port}`;
  env = {
    KORRIGO_LITE_DB_PORT: String(dbPort),
    KORRIGO_LITE_PORT: String(port),
    KORRIGO_LITE_DATA_DIR: dataDir,
    KORRIGO_LITE_LOG_DIR: join(dataDir, 'logs'),
    KORRIGO_LITE_BUILD_DIR: 'dist',
    KORRIGO_LITE_WAIT_TIMEOUT: '20s',
    // What release-gate.yml's env: gives the app, for the processes started here.
    DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${dbPort}/postgres`,
    MEDIA_ROOT: join(dataDir, 'media'),
    KORRIGO_LITE_STATE_DIR: join(dataDir, 'state'),
    COPIES_PAGE_SIZE: '2',
    ADMIN_PASSWORD: 'ExternalAdmin7Q',
    TEACHER_PASSWORD: 'ExternalTeacher7Q',
  };
  start('db', ['db', '--port', String(dbPort), '--data-dir', join(dataDir, 'pg')]);
  await until('db', async () => {
    try {
      await run(['migrate']);
      return true;
    } catch {
      return false;
    }
  }, 120_000);
  await run(['seed']);
  start('backend', ['serve'], { PORT: String(port), HOST: '127.0.0.1' });
  start('worker', ['worker']);
  await until('backend', async () => (await status(`${backendUrl}/api/health/`)) === 200, 60_000);
});

after(async () => {
  for (const child of processes) {
    if (!alive(child)) continue;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-(child.pid as number), 'SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

interface SummaryJson {
  verdict: string;
  target?: { driver: string; external: boolean; description: string };
  steps: { log: string; status: string; detail: string }[];
  criteria: { id: string; passed: boolean; notApplicable?: boolean; detail: string }[];
}

async function gate(extraArgs: string[], extraEnv: Record<string, string> = {}) {
  const logDir = join(tempDir('rg-kl-external-logs-'), 'logs');
  const cli = await runCli(['run', '--config', CONFIG, '--log-dir', logDir, ...extraArgs], { cwd: ROOT, env: { ...env, ...extraEnv } });
  const read = (name: string) => readFileSync(join(logDir, name), 'utf8');
  return { ...cli, logDir, read, json: JSON.parse(read('summary.json')) as SummaryJson };
}

const LIFECYCLE_LOGS = ['00_compose_down.log', '01_build_nocache.log', '02_up.log', '03_ps_initial.log', '06_stability_180s.log', '16_ps_final.log', '20_shutdown.log'];

describe('the korrigo gate on korrigo-lite as an external target', () => {
  it('passes through HTTP, exec and logs; lifecycle steps and their criteria are n/a, never ✅; the target keeps running', async () => {
    const run = await gate([]);
    const summary = run.read('17_validation_summary.log');
    assert.equal(run.code, 0, `${run.stdout}\n${summary}`);
    assert.equal(run.json.verdict, 'passed');
    assert.deepEqual(run.json.target && { driver: run.json.target.driver, external: run.json.target.external }, { driver: 'external', external: true });

    const byLog = new Map(run.json.steps.map((s) => [s.log, s]));
    for (const log of LIFECYCLE_LOGS) {
      assert.equal(byLog.get(log)?.status, 'not-applicable', log);
      assert.match(run.read(log), /^.*n\/a: not applicable to this target/m, log);
    }
    for (const log of ['04_wait_health.log', '07_migrate.log', '09_seed_run2.log', '11_db_sanity.log', '12_e2e_3runs.log', '13_pytest_full.log', '15_backend_logs_tail.log']) {
      assert.equal(byLog.get(log)?.status, 'passed', `${log}: ${byLog.get(log)?.detail}`);
    }

    // Build, Stability, Upgrade and Shutdown have no applicable evidence: n/a lines, without ✅/❌, not counted.
    const na = run.json.criteria.filter((c) => c.notApplicable).map((c) => c.id);
    assert.deepEqual(na, ['build', 'stability', 'upgrade', 'shutdown']);
    assert.match(summary, / n\/a Shutdown: n\/a: an external deployment is not built, started or stopped/m);
    assert.match(summary, / n\/a Upgrade: n\/a: an external deployment is not built, started or stopped/m);
    assert.match(summary, / n\/a Build: n\/a: an external deployment is not built/m);
    assert.match(summary, / n\/a Stability: n\/a: service state is not observable/m);
    const marks = summary.split('\n').filter((l) => /✅|❌/.test(l));
    const judged = CRITERIA.length - na.length;
    assert.equal(marks.length, judged, marks.join('\n'));
    assert.ok(marks.every((l) => / ✅ /.test(l)), marks.join('\n'));
    assert.ok(summary.includes(`--- Criteria: ${judged}/${judged} passed ---`), summary);
    assert.match(summary, / Target: an external deployment \(external "korrigo-lite on this host"/m);
    assert.match(summary, / clean\s+00_compose_down\.log\s+n\/a\s/);
    assert.ok(run.stdout.includes(`GATE PASSED — external target, ${na.length} criteria n/a`), run.stdout.slice(-300));

    // Exec reached the target's database; logs came through stack.logs.
    assert.equal(run.read('11_db_sanity.log').split('\n').filter((l) => l.includes('pages=')).length, 3);
    assert.match(run.read('14_compose_logs.log'), /--- logs of backend ---/);
    assert.match(run.read('15_backend_logs_tail.log'), /INFO GET \/api\/health\//);

    const junit = run.read('junit.xml');
    assert.ok(junit.includes(`tests="${CRITERIA.length}" failures="0" errors="0" skipped="${na.length}"`), junit.slice(0, 400));
    // Not started by the gate, not stopped by it either.
    assert.ok(processes.every(alive), 'the gate stopped the external target');
    assert.equal((await status(`${backendUrl}/api/health/`)), 200);
  });

  it('fails when the external target does not answer: a green needs evidence', async () => {
    const port = await freePort();
    const run = await gate(['--only', 'B'], { NGINX_BASE_URL: `http://127.0.0.1:${port}`, KORRIGO_LITE_WAIT_TIMEOUT: '2s' });
    assert.equal(run.code, 1, run.stdout);
    const health = run.json.steps.find((s) => s.log === '04_wait_health.log');
    assert.equal(health?.status, 'failed');
    assert.equal(run.json.criteria.find((c) => c.id === 'boot')?.passed, false);
  });

  it('makes a gate of only n/a steps fail: nothing was judged', async () => {
    const run = await gate(['--only', '00_compose_down,01_build_nocache,02_up,03_ps_initial']);
    assert.equal(run.code, 1, run.stdout);
    const evidence = run.json.criteria.find((c) => c.id === 'applicable');
    assert.equal(evidence?.passed, false);
    assert.match(evidence?.detail ?? '', /no criterion is applicable to this target/);
  });
});
