// The Korrigo gate on the bundled sample in Docker Compose (examples/korrigo-lite/
// release-gate.compose.yml): the full gate on real containers, then one fault per criterion
// the compose driver alone can show (restart counters, health, build, ports) plus two of the
// app's. Needs a Docker engine, compose v2 and debian:trixie-slim (scripts/docker-engine.sh);
// run through `npm run test:docker`. No skip: without an engine these tests fail.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, ROOT, runCli, tempDir, writeConfig } from './helpers.js';

const SAMPLE = join(ROOT, 'examples/korrigo-lite');
const CONFIG = join(SAMPLE, 'release-gate.compose.yml');
const COMPOSE_FILE = join(SAMPLE, 'docker-compose.yml');
/** Own compose project (the rg-test- prefix is what scripts/run-docker-tests.mjs checks for leftovers). */
const PROJECT = `rg-test-kl-${randomBytes(4).toString('hex')}`;
const SEED_LOGS = [
  '00_compose_down', '01_build_nocache', '02_up', '03_ps_initial', '04_wait_health', '05_wait_metrics',
  '06_stability_5s', '07_migrate', '08_seed_run1', '09_seed_run2', '10_reset_prof_password', '11_db_sanity',
  '12_e2e_3runs', '13_pytest_full', '14_compose_logs', '15_backend_logs_tail', '16_ps_final', '17_validation_summary',
].map((name) => `${name}.log`);
const CRITERIA = ['Build', 'Boot', 'Stability', 'Migrations', 'Seed idempotent', 'Pages > 0', 'E2E', 'Annotation POST', 'Tests', 'Warnings'];

interface SummaryJson {
  verdict: string;
  steps: { log: string; phase: string; status: string }[];
}

interface GateRun {
  code: number | null;
  output: string;
  logDir: string;
  summary: string;
  json: SummaryJson | null;
  read(name: string): string;
  /** The summary's ✅/❌ line of one criterion. */
  line(title: string): string;
}

/**
 * The sample's compose config, extended only to remove the volumes at teardown (the preset
 * keeps them, as Korrigo's gate does) so that each run leaves nothing behind.
 */
let wrapperConfig = '';
let wrapperDir = '';

before(() => {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8' });
  assert.equal(info.status, 0, `Docker engine not reachable (run bash scripts/docker-engine.sh): ${info.stderr ?? info.error}`);
  wrapperDir = tempDir('rg-kl-compose-');
  wrapperConfig = writeConfig(wrapperDir, [`extends: ${JSON.stringify(CONFIG)}`, `cwd: ${JSON.stringify(SAMPLE)}`, 'teardown: { volumes: true }', ''].join('\n'));
});

after(() => {
  // Safety net for an aborted test: only our own project, never anything else.
  spawnSync('docker', ['compose', '-p', PROJECT, '-f', COMPOSE_FILE, 'down', '-v', '--remove-orphans', '--timeout', '5'], { cwd: SAMPLE, encoding: 'utf8' });
  rmSync(wrapperDir, { recursive: true, force: true });
});

async function gate(opts: { skip?: string; stability?: string; env?: Record<string, string>; port?: number } = {}): Promise<GateRun> {
  const logDir = join(tempDir('rg-kl-compose-logs-'), 'logs');
  const port = opts.port ?? (await freePort());
  const args = ['run', '--config', wrapperConfig, '--stability', opts.stability ?? '5s', '--log-dir', logDir, ...(opts.skip ? ['--skip', opts.skip] : [])];
  const run = await runCli(args, {
    cwd: ROOT,
    env: {
      KORRIGO_LITE_COMPOSE_PROJECT: PROJECT,
      KORRIGO_LITE_HTTP_PORT: String(port),
      KORRIGO_LITE_FAULT: '',
      KORRIGO_LITE_BUILD_FAULT: '',
      KORRIGO_LITE_CRASH_AFTER_MS: '',
      NGINX_BASE_URL: '',
      ...opts.env,
    },
  });
  const read = (name: string) => readFileSync(join(logDir, name), 'utf8');
  const summary = existsSync(join(logDir, '17_validation_summary.log')) ? read('17_validation_summary.log') : '';
  const json = existsSync(join(logDir, 'summary.json')) ? (JSON.parse(read('summary.json')) as SummaryJson) : null;
  const line = (title: string) => summary.split('\n').find((l) => /[✅❌]/.test(l) && l.includes(` ${title}:`)) ?? '';
  return { code: run.code, output: run.stdout + run.stderr, logDir, summary, json, read, line };
}

/** What a failing assertion shows: the criteria lines, the tail of each failed step's log. */
function evidence(run: GateRun): string {
  const marks = run.summary.split('\n').filter((l) => /[✅❌]/.test(l));
  const failed = (run.json?.steps ?? [])
    .filter((s) => s.status === 'failed')
    .map((s) => `--- ${s.log} ---\n${existsSync(join(run.logDir, s.log)) ? run.read(s.log).split('\n').slice(-25).join('\n') : '(missing)'}`);
  return [`exit ${run.code}`, run.output.split('\n').slice(-15).join('\n'), ...marks, ...failed].join('\n');
}

/** Containers, volumes and networks of our project still in the engine: none after a run. */
function leftovers(): string[] {
  const label = `label=com.docker.compose.project=${PROJECT}`;
  const list = (args: string[]) => {
    const r = spawnSync('docker', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.split('\n').filter((l) => l.trim() !== '');
  };
  return [
    ...list(['ps', '-a', '--filter', label, '--format', 'container {{.Names}}']),
    ...list(['volume', 'ls', '--filter', label, '--format', 'volume {{.Name}}']),
    ...list(['network', 'ls', '--filter', label, '--format', 'network {{.Name}}']),
  ];
}

/** Fail fast: after the first failed step only the log capture (G) and summary (H) ran. */
function assertStoppedAfterFailure(run: GateRun): void {
  const steps = run.json?.steps ?? [];
  const first = steps.findIndex((s) => s.status === 'failed');
  assert.ok(first >= 0, 'no failed step');
  const ranAfter = steps.slice(first + 1).filter((s) => s.phase !== 'G' && s.phase !== 'H' && s.status !== 'not-run');
  assert.deepEqual(ranAfter.map((s) => s.log), [], 'steps ran after the failure');
  assert.ok(existsSync(join(run.logDir, '17_validation_summary.log')), 'no summary after a failure');
}

describe('the korrigo gate on korrigo-lite in Docker Compose', () => {
  it('passes in full (clean, no-cache build, 5/5 healthy, E2E through nginx): 18 logs, every criterion ✅, the seed quick checks', async () => {
    const run = await gate();
    assert.equal(run.code, 0, evidence(run));
    for (const log of SEED_LOGS) assert.ok(existsSync(join(run.logDir, log)), `${log} missing`);
    const marks = run.summary.split('\n').filter((l) => /✅|❌/.test(l));
    assert.equal(marks.length, CRITERIA.length, marks.join('\n'));
    for (const title of CRITERIA) assert.match(run.line(title), /✅/, `${title}: ${run.line(title)}`);
    assert.match(run.line('Boot'), /5\/5 running\+healthy/);
    assert.match(run.line('Build'), /without cache/);
    // The seed's quick checks.
    assert.match(run.read('13_pytest_full.log').split('\n').filter((l) => l.includes('passed')).at(-1) ?? '', /\d+ passed, 0 failed/);
    assert.equal(run.read('11_db_sanity.log').split('\n').filter((l) => l.includes('pages=')).length, 3);
    assert.match(run.read('12_e2e_3runs.log'), /E2E.*RUN.*PASSED/);
    // COPIES_PAGE_SIZE=2 reached the containers: the scenario followed `next` through nginx.
    assert.match(run.read('12_e2e_3runs.log'), /copies\/\?page=2 200/);
    // The build context was staged on the host, in the build log, before the no-cache build.
    const build = run.read('01_build_nocache.log');
    assert.ok(build.indexOf('[stage] staged') >= 0 && build.indexOf('[stage] staged') < build.indexOf('Build without cache'), 'stage did not run before the build');
    assert.deepEqual(leftovers(), []);
  });

  it('crash-once: the backend crashes after up, its restart policy brings it back Up, yet Stability ❌ on the restart count', async () => {
    // The crash comes 6 s after the backend starts: after `up` (which waits for it to be
    // healthy), before the end of the window; the window ends early once something broke.
    const run = await gate({ skip: 'A', stability: '30s', env: { KORRIGO_LITE_FAULT: 'crash-once', KORRIGO_LITE_CRASH_AFTER_MS: '6000' } });
    assert.equal(run.code, 1, evidence(run));
    assert.match(run.line('Boot'), /✅.*5\/5 running\+healthy/, evidence(run));
    assert.match(run.line('Stability'), /❌ Stability: [1-9]\d* restarts, [1-9]\d* exits.*\(backend\)/, evidence(run));
    assert.match(run.read('06_stability_30s.log'), /UNSTABLE backend .*restart count rose by 1/);
    // Up again: what the bash original's two `ps` snapshots would have seen as healthy.
    assert.match(run.read('16_ps_final.log'), /-backend-1 .*Up .*\(healthy\)/);
    assertStoppedAfterFailure(run);
    assert.deepEqual(leftovers(), []);
  });

  it('health-503: the backend never turns healthy → Boot ❌', async () => {
    const run = await gate({ skip: 'A', env: { KORRIGO_LITE_FAULT: 'health-503' } });
    assert.equal(run.code, 1, evidence(run));
    assert.match(run.line('Boot'), /❌ Boot:.*backend.*unhealthy/, evidence(run));
    assertStoppedAfterFailure(run);
    assert.deepEqual(leftovers(), []);
  });

  it('a failing Dockerfile RUN → Build ❌, later phases not run', async () => {
    const run = await gate({ env: { KORRIGO_LITE_BUILD_FAULT: 'on' } });
    assert.equal(run.code, 1, evidence(run));
    assert.match(run.line('Build'), /❌ Build:.*build --no-cache exited/, evidence(run));
    assert.match(run.read('01_build_nocache.log'), /KORRIGO_LITE_BUILD_FAULT=on: failing the build on purpose/);
    for (const title of ['Boot', 'Stability', 'Migrations', 'Tests']) assert.match(run.line(title), /❌ .*not run/, title);
    assert.ok(!existsSync(join(run.logDir, '02_up.log')), 'up ran after a failed build');
    assertStoppedAfterFailure(run);
    assert.deepEqual(leftovers(), []);
  });

  it('the published port is taken → exit 3 naming the port, nothing started', async () => {
    const server: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    try {
      const run = await gate({ skip: 'A', port });
      assert.equal(run.code, 3, evidence(run));
      assert.match(run.output, new RegExp(`127\\.0\\.0\\.1:${port}\\b.*nginx.*not free`), run.output);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    assert.deepEqual(leftovers(), []);
  });

  it('seed-not-idempotent → Seed idempotent ❌ with the diff of the fingerprint', async () => {
    const run = await gate({ skip: 'A', env: { KORRIGO_LITE_FAULT: 'seed-not-idempotent' } });
    assert.equal(run.code, 1, evidence(run));
    assert.match(run.line('Seed idempotent'), /❌ Seed idempotent: not idempotent/, evidence(run));
    // The probe's unified diff: run 2 added a copy.
    const log = run.read('09_seed_run2.log');
    const before = Number(/ -copies: (\d+)$/m.exec(log)?.[1]);
    const afterRun = Number(/ \+copies: (\d+)$/m.exec(log)?.[1]);
    assert.equal(afterRun, before + 1, log);
    assert.match(log, / -fingerprint: [0-9a-f]{64}$/m);
    assertStoppedAfterFailure(run);
    assert.deepEqual(leftovers(), []);
  });

  it('skip-test → Tests ❌ 1 skipped', async () => {
    const run = await gate({ skip: 'A', env: { KORRIGO_LITE_FAULT: 'skip-test' } });
    assert.equal(run.code, 1, evidence(run));
    assert.match(run.line('Tests'), /❌ Tests:.*1 skipped/, evidence(run));
    for (const title of ['Boot', 'Stability', 'Migrations', 'Seed idempotent', 'Pages > 0', 'E2E']) assert.match(run.line(title), /✅/, title);
    assert.deepEqual(leftovers(), []);
  });
});
