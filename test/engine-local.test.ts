import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, ROOT, freePort, type OnStdout, marker, processesWith, runCli, tempDir, withPresetComposeFile, writeConfig } from './helpers.js';

/*
 * The engine end to end: the real CLI, the local driver, real processes and real HTTP.
 * Each test writes a small gate config around test/fixtures/fixture-server.mjs.
 */

interface FixtureOptions {
  port: number;
  marker: string;
  healthStatus?: number;
  crashOnceFile?: string;
  /** With crashOnceFile: crash when this file appears (the seed step creates it) instead of 300 ms after start. */
  crashWhenFile?: string;
  crashAfterMs?: number;
  mode?: 'overlap' | 'exclusive';
  child?: boolean;
  window?: string;
  seed?: string | string[];
  probe?: string;
  junit?: string;
}

function fixtureGate(o: FixtureOptions): string {
  const env: Record<string, string> = { PORT: String(o.port), HEALTH_STATUS: String(o.healthStatus ?? 200), MARKER: o.marker };
  if (o.crashOnceFile) env['CRASH_ONCE_FILE'] = o.crashOnceFile;
  if (o.crashWhenFile) env['CRASH_WHEN_FILE'] = o.crashWhenFile;
  if (o.crashAfterMs !== undefined) env['CRASH_AFTER_MS'] = String(o.crashAfterMs);
  if (o.child) env['CHILD'] = '1';
  return `
name: fixture
baseUrl: http://127.0.0.1:${o.port}
secrets:
  env: [FIXTURE_SECRET]
  patterns: ['token=(\\w+)']
criteria:
  boot: Boot
  health: Health
  stability: Stability
  seed: Seed
  tests: Tests
  logs: Logs
stack:
  driver: local
  services:
    web:
      command: [node, ${JSON.stringify(join(FIXTURES, 'fixture-server.mjs'))}, --marker=${o.marker}]
      env: ${JSON.stringify(env)}
      # Tolerant: the machine may be loaded; an unhealthy turn now counts at any time of the run.
      healthcheck: { http: "http://127.0.0.1:${o.port}/", interval: 200ms, retries: 25 }
      restart: always
      ports: [${o.port}]
phases:
  - id: clean
    steps: [{ log: 00_down, do: down, volumes: true }]
  - id: boot
    steps:
      - { log: 01_up, do: up }
      - { log: 02_ps, do: ps, ready: true, timeout: 20s, criterion: boot }
      - { log: 03_wait_health, do: wait-http, url: /health, timeout: 3s, interval: 200ms, service: web, criterion: health }
      - { log: "04_stability_{window}s", do: stability, window: ${o.window ?? '2s'}, mode: ${o.mode ?? 'overlap'}, criterion: stability }
  - id: data
    steps:
      - log: 05_seed
        do: exec
        service: web
        run: ${JSON.stringify(o.seed ?? 'echo seeding token=abc123secret with $FIXTURE_SECRET')}
        idempotence: { probe: ${JSON.stringify(o.probe ?? 'echo rows=3')} }
        criterion: seed
      - log: 06_tests
        do: exec
        service: web
        # The step writes its report (a copy has this run's mtime): a report older than the step is refused.
        run: ${JSON.stringify(`echo running tests; cp ${JSON.stringify(o.junit ?? join(FIXTURES, 'junit-all-passed.xml'))} junit-out.xml`)}
        results: { junit: junit-out.xml }
        criterion: tests
  - id: logs
    always: true
    steps:
      - { log: 07_logs, do: logs, scan: { patterns: ['FATAL'] }, criterion: logs }
  - id: summary
    always: true
    steps: [{ log: 08_summary, do: summary }]
`;
}

async function gate(o: Partial<FixtureOptions> = {}, args: string[] = [], onStdout?: OnStdout, reuse?: { dir: string; opts: FixtureOptions }) {
  const dir = reuse?.dir ?? tempDir();
  const logDir = join(dir, reuse ? 'logs-again' : 'logs');
  const opts: FixtureOptions = reuse?.opts ?? { port: await freePort(), marker: marker(), ...o };
  const config = writeConfig(dir, fixtureGate(opts));
  const run = await runCli(['run', '--config', config, '--log-dir', logDir, ...args], {
    cwd: dir,
    env: { FIXTURE_SECRET: 'sup3r-s3cret-value' },
    ...(onStdout ? { onStdout } : {}),
  });
  const read = (name: string) => readFileSync(join(logDir, name), 'utf8');
  const summary = existsSync(join(logDir, '08_summary.log')) ? read('08_summary.log') : '';
  return { ...run, dir, logDir, read, summary, opts, criterionLine: (title: string) => summary.split('\n').find((l) => /[✅❌]/.test(l) && l.includes(`${title}:`)) ?? '' };
}

/** The seed's 18 artifact names, in order (with the default 180 s window and 3 E2E runs). */
const SEED_LOGS = [
  '00_compose_down', '01_build_nocache', '02_up', '03_ps_initial', '04_wait_health', '05_wait_metrics', '06_stability_180s', '07_migrate',
  '08_seed_run1', '09_seed_run2', '10_reset_prof_password', '11_db_sanity', '12_e2e_3runs', '13_pytest_full', '14_compose_logs',
  '15_backend_logs_tail', '16_ps_final', '17_validation_summary',
];

/** The preset's logs beyond the seed's, numbered after them: issue 27's drills, the resources sampled. */
const DRILL_LOGS = ['18_restore_drill.log', '19_upgrade_drill.log', '20_shutdown.log', '21_resources.log'];

describe('engine with the local driver on real processes', () => {
  it('passes a healthy stack, writes every numbered log, the summary and the reports', async () => {
    const run = await gate();
    assert.equal(run.code, 0, run.stdout + run.stderr);
    for (const name of ['00_down.log', '01_up.log', '02_ps.log', '03_wait_health.log', '04_stability_2s.log', '05_seed.log', '06_tests.log', '07_logs.log', '08_summary.log', 'summary.json', 'junit.xml', 'report.html']) {
      assert.ok(existsSync(join(run.logDir, name)), `${name} missing`);
    }
    const marks = run.summary.split('\n').filter((l) => /✅|❌/.test(l));
    assert.equal(marks.length, 6, run.summary);
    assert.ok(marks.every((l) => l.includes('✅')), run.summary);
    assert.match(run.criterionLine('Boot'), /1\/1 running\+healthy/);
    const json = JSON.parse(run.read('summary.json')) as { verdict: string; artifacts: string[] };
    assert.equal(json.verdict, 'passed');
    assert.ok(json.artifacts.includes('08_summary.log'));
    assert.deepEqual(processesWith(run.opts.marker), []);
  });

  it('fails Boot and Stability when a service restarted before the boot check, naming it', async () => {
    const dir = tempDir();
    // Crashes at once, before its first healthcheck can pass: only its restarted self turns healthy.
    const run = await gate({ crashOnceFile: join(dir, 'crashed'), crashAfterMs: 0, window: '3s' });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.criterionLine('Boot'), /❌.*web (restarted 1 time|is restarting) before the check/);
    const line = run.criterionLine('Stability');
    assert.match(line, /❌.*[1-9] restarts?.*web/);
    assert.match(run.read('04_stability_3s.log'), /UNSTABLE web .*(exited \(exit 3\)|restarted)/);
    // Fail fast: later phases did not run, logs and summary did.
    assert.ok(!existsSync(join(run.logDir, '05_seed.log')));
    assert.ok(existsSync(join(run.logDir, '07_logs.log')));
    // One defect, one red: what the gate never reached is "not judged", neither ✅ nor ❌.
    assert.match(run.summary, /^\S+ – Seed: not judged: the gate stopped at 02_ps after \d/m);
    assert.equal(run.criterionLine('Seed'), '');
    assert.deepEqual(processesWith(run.opts.marker), []);
  });

  it('fails Stability when a service restarts after the window minimum but before the final ps, and blames nobody else', async () => {
    const dir = tempDir();
    const trigger = join(dir, 'crash-now');
    // The seed step makes the service crash after the 1 s window has been watched, then waits
    // for the policy restart: the old exclusive window judged before this and said ✅.
    const run = await gate({
      crashOnceFile: join(dir, 'crashed'),
      crashWhenFile: trigger,
      window: '1s',
      seed: `sleep 1.5; touch ${JSON.stringify(trigger)}; sleep 2; echo seeding`,
    });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.criterionLine('Stability'), /❌.*[1-9] restarts?.*web/);
    assert.match(run.criterionLine('Boot'), /✅/);
    const json = JSON.parse(run.read('summary.json')) as { stoppedAt: string; steps: { log: string; status: string; startedAt?: string; endedAt?: string }[] };
    assert.equal(json.stoppedAt, '04_stability_1s.log');
    const stability = json.steps.find((s) => s.log === '04_stability_1s.log');
    const seed = json.steps.find((s) => s.log === '05_seed.log');
    // The window overlapped the seed step, and its verdict came after the seed ended.
    assert.ok(seed?.startedAt && stability?.endedAt && Date.parse(seed.startedAt) < Date.parse(stability.endedAt));
    // The step running at the crash finished; nothing started after it.
    assert.equal(json.steps.find((s) => s.log === '06_tests.log')?.status, 'not-run');
    assert.match(run.read('04_stability_1s.log'), /event \S+ web die exit=3/);
    assert.deepEqual(processesWith(run.opts.marker), []);
  });

  it('overlaps the window with the later phases, then waits out its remainder before log capture', async () => {
    const run = await gate({ window: '3s' });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const json = JSON.parse(run.read('summary.json')) as { steps: { log: string; startedAt: string; endedAt: string }[] };
    const at = (log: string, key: 'startedAt' | 'endedAt') => Date.parse(json.steps.find((s) => s.log === log)?.[key] ?? '');
    // The window is counted from up (where the watch began), not from the stability step.
    const from = /minimum window 3\.0s counted from up at (\S+)/.exec(run.read('04_stability_3s.log'))?.[1];
    assert.ok(from, run.read('04_stability_3s.log'));
    const windowStart = Date.parse(from);
    assert.ok(windowStart >= at('01_up.log', 'startedAt') && windowStart <= at('01_up.log', 'endedAt'), `window from ${from}`);
    // 05_seed started while the window was watched; log capture came after its 3 s minimum.
    assert.ok(at('05_seed.log', 'startedAt') < windowStart + 3000);
    assert.ok(at('07_logs.log', 'startedAt') >= windowStart + 3000);
    assert.match(run.read('04_stability_3s.log'), /observed \S+ since up/);
  });

  it('with mode exclusive idles through the window before the next phase', async () => {
    const run = await gate({ window: '2s', mode: 'exclusive' });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const json = JSON.parse(run.read('summary.json')) as { steps: { log: string; startedAt: string }[] };
    const at = (log: string) => Date.parse(json.steps.find((s) => s.log === log)?.startedAt ?? '');
    assert.ok(at('05_seed.log') >= at('04_stability_2s.log') + 2000);
  });

  it('fails with the last status when the health endpoint never turns 200', async () => {
    const run = await gate({ healthStatus: 503 });
    assert.equal(run.code, 1);
    const line = run.criterionLine('Health');
    assert.match(line, /❌/);
    assert.match(line, /last: 503/);
    assert.match(run.read('03_wait_health.log'), /last 50 log lines of web/);
    assert.match(run.read('03_wait_health.log'), /GET \/health/);
  });

  it('fails a non-idempotent step and shows the diff', async () => {
    const run = await gate({ seed: 'n=$(cat counter 2>/dev/null || echo 0); echo $((n+1)) > counter', probe: 'echo rows=$(cat counter 2>/dev/null || echo 0)' });
    assert.equal(run.code, 1);
    assert.match(run.criterionLine('Seed'), /❌.*not idempotent/);
    const log = run.read('05_seed.log');
    assert.match(log, /-rows=0/);
    assert.match(log, /\+rows=1/);
  });

  it('fails the tests criterion on a JUnit report with one skipped test and lists it', async () => {
    const run = await gate({ junit: join(FIXTURES, 'junit-one-skipped.xml') });
    assert.equal(run.code, 1);
    assert.match(run.criterionLine('Tests'), /❌.*1 skipped/);
    assert.match(run.read('06_tests_failing_tests.txt'), /test_rate_limit/);
    assert.match(run.read('06_tests.log'), /TESTS: 2 passed, 0 failed, 0 errors, 1 skipped/);
  });

  it('fails the seed criterion when the idempotence probe itself fails, even twice the same way', async () => {
    const run = await gate({ probe: 'echo Traceback: no such table; exit 3' });
    assert.equal(run.code, 1);
    assert.match(run.criterionLine('Seed'), /❌.*idempotence probe failed \(exit 3\)/);
  });

  it('with --keep-up exits and leaves the stack running; the next run stops those leftovers first', async () => {
    const first = await gate({}, ['--keep-up']);
    try {
      assert.equal(first.code, 0, first.stdout);
      assert.notDeepEqual(processesWith(first.opts.marker), [], 'the stack should still run');
      const second = await gate({}, [], undefined, { dir: first.dir, opts: first.opts });
      assert.equal(second.code, 0, second.stdout);
      assert.match(second.read('00_down.log'), /killing leftover process group/);
    } finally {
      for (const line of processesWith(first.opts.marker)) process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
    }
    assert.deepEqual(processesWith(first.opts.marker), []);
  });

  it('redacts secret env values and configured patterns from every artifact', async () => {
    // The secret reaches the command twice: from the environment, and interpolated as its own
    // argv item (a `${…}` inside the script itself is refused at load: values are data).
    const run = await gate({
      seed: ['node', '-e', 'console.log("seeding token=abc123secret with " + process.env.FIXTURE_SECRET + " and " + process.argv[1])', '${FIXTURE_SECRET}'],
    });
    assert.equal(run.code, 0, run.stdout);
    for (const name of readdirSync(run.logDir)) {
      const text = readFileSync(join(run.logDir, name), 'utf8');
      assert.ok(!text.includes('sup3r-s3cret-value'), `${name} leaks the env secret`);
      assert.ok(!text.includes('abc123secret'), `${name} leaks the pattern secret`);
    }
    assert.match(run.read('05_seed.log'), /token=\[REDACTED\] with \[REDACTED\] and \[REDACTED\]/);
    // The interpolated secret is in the step's title too: the console must not show it either.
    assert.ok(!run.stdout.includes('sup3r-s3cret-value'), 'the console leaks the secret');
  });

  it('on SIGINT stops the running step, kills every child process, still writes logs and summary, exits 130', async () => {
    let sent = false;
    const run = await gate({ window: '60s', child: true }, [], (stdout, child) => {
      if (!sent && stdout.includes('04_stability_60s.log')) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 300);
      }
    });
    assert.ok(sent, 'never reached the stability step');
    assert.equal(run.code, 130, run.stdout + run.stderr);
    assert.ok(existsSync(join(run.logDir, '07_logs.log')));
    assert.match(run.summary, /interrupted/i);
    assert.deepEqual(processesWith(run.opts.marker), [], 'a child process survived');
  });

  it('refuses to start when a declared port is taken, with exit 3', async () => {
    const { createServer } = await import('node:net');
    const port = await freePort();
    const blocker = createServer().listen(port, '127.0.0.1');
    try {
      const run = await gate({ port });
      assert.equal(run.code, 3, run.stdout + run.stderr);
      assert.match(run.read('00_down.log'), /Port \d+ of service "web" is already in use/);
    } finally {
      blocker.close();
    }
  });
});

describe('config errors', () => {
  it('reports all 5 mistakes of a config at once with file:line and exits 2, running nothing', async () => {
    const dir = tempDir();
    const file = writeConfig(
      dir,
      `name: broken
baseUrl: 42
stabilty: 3s
stack:
  driver: local
  services:
    web: { command: [node, server.js] }
teardown:
  volumes: "yes"
phases:
  - id: A
    steps:
      - { log: 00_x, do: explode }
  - id: B
    steps:
      - { log: 01_y, do: up, timeout: soon }
`,
    );
    const run = await runCli(['run', '--config', file, '--log-dir', join(dir, 'logs')], { cwd: dir });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /5 problems/);
    assert.match(run.stderr, /release-gate\.yml:2:\d+ baseUrl: .*received 42/);
    assert.match(run.stderr, /stabilty/);
    assert.match(run.stderr, /teardown\.volumes: .*received "yes"/);
    assert.match(run.stderr, /phases\[0\]\.steps\[0\]/);
    assert.match(run.stderr, /phases\[1\]\.steps\[0\]\.timeout: .*duration.*received "soon"/);
    assert.ok(!run.stderr.includes('    at '), 'no stack trace without --verbose');
    assert.ok(!existsSync(join(dir, 'logs')), 'nothing ran');
  });

  it('reports YAML syntax errors with file:line:col', async () => {
    const dir = tempDir();
    const file = writeConfig(dir, 'name: x\nphases: [\n  - id: A\n');
    const run = await runCli(['plan', '--config', file], { cwd: dir });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /release-gate\.yml:\d+:\d+: YAML syntax/);
  });

  for (const command of ['plan', 'run']) {
    it(`rejects invalid regexes in secrets and log scans at load with exit 2 from ${command}, naming each`, async () => {
      const dir = tempDir();
      const file = writeConfig(
        dir,
        `secrets: { patterns: ['password=(\\S+'] }
stack:
  driver: local
  services:
    web: { command: [node, server.js] }
phases:
  - id: A
    steps:
      - { log: 01_logs, do: logs, scan: { patterns: ['[unclosed'] } }
`,
      );
      const run = await runCli([command, '--config', file, '--log-dir', join(dir, 'logs')], { cwd: dir });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /2 problems/);
      assert.match(run.stderr, /release-gate\.yml:1:\d+ secrets\.patterns\[0\]: invalid regular expression "password=\(\\S\+": .*Unterminated group/);
      assert.match(run.stderr, /release-gate\.yml:9:\d+ phases\[0\]\.steps\[0\]\.scan\.patterns\[0\]: invalid regular expression "\[unclosed": .*Unterminated character class/);
      assert.ok(!run.stderr.includes('unexpected error'), run.stderr);
      assert.ok(!existsSync(join(dir, 'logs')), 'nothing ran');
    });
  }

  it('reports a bad value in a config extending korrigo-lite at that config, never at the preset', async () => {
    const dir = tempDir();
    const file = writeConfig(
      dir,
      `extends: ${join(ROOT, 'examples/korrigo-lite/release-gate.yml')}
phases:
  - id: C
    steps:
      - { id: 07_migrate_check, timeout: "abc" }
`,
    );
    const run = await runCli(['plan', '--config', file], { cwd: dir });
    assert.equal(run.code, 2, run.stderr);
    assert.ok(run.stderr.includes(`${file}:5:`), run.stderr);
    assert.match(run.stderr, /\.timeout: expected a duration.*received "abc"/);
    assert.ok(!run.stderr.includes('presets/korrigo.yml'), run.stderr);
  });

  it('fails Boot on a stack where no service is found instead of passing 0/0', async () => {
    const dir = tempDir();
    const logDir = join(dir, 'logs');
    const file = writeConfig(
      dir,
      `criteria: { boot: Boot }
stack: { driver: local, services: {} }
phases:
  - id: boot
    steps:
      - { log: 01_up, do: up }
      - { log: 02_ps, do: ps, ready: true, timeout: 1s, criterion: boot }
  - id: summary
    always: true
    steps: [{ log: 03_summary, do: summary }]
`,
    );
    const run = await runCli(['run', '--config', file, '--log-dir', logDir], { cwd: dir });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const boot = readFileSync(join(logDir, '03_summary.log'), 'utf8').split('\n').find((l) => l.includes('Boot:')) ?? '';
    assert.match(boot, /❌.*no service found \(0\/at least 1\)/);
  });
});

describe('cli', () => {
  it('prints the version fast', async () => {
    const started = Date.now();
    const run = await runCli(['--version']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^\d+\.\d+\.\d+\n$/);
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started}ms`);
  });

  it('plans the korrigo preset: validates it and lists the 18 seed artifacts in order (+ the migration check and the drills), running nothing', async () => {
    const run = await runCli(['plan', '--preset', 'korrigo'], { cwd: withPresetComposeFile(tempDir()) });
    assert.equal(run.code, 0, run.stderr);
    const logs = [...new Set(run.stdout.match(/\b\d\d_[a-z0-9_]+\.log\b/g))];
    const seed = SEED_LOGS.map((l) => `${l}.log`);
    assert.deepEqual(logs.filter((l) => seed.includes(l)), seed, logs.join(' '));
    // Beyond the seed's names: its own log for the migration check, and the drills numbered after 17.
    assert.deepEqual(logs.filter((l) => !seed.includes(l)).sort(), ['07_migrate_check.log', ...DRILL_LOGS], logs.join(' '));
  });

  it('reports a missing compose file before running anything (exit 2)', async () => {
    const dir = tempDir();
    const run = await runCli(['run', '--preset', 'korrigo', '--log-dir', join(dir, 'logs')], { cwd: dir });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /compose file not found: .*docker-compose\.local-prod\.yml/);
    assert.ok(!existsSync(join(dir, 'logs')));
  });

  it('ships a JSON Schema in sync with the config schema', async () => {
    const run = await runCli(['schema']);
    assert.equal(run.code, 0);
    assert.deepEqual(JSON.parse(run.stdout), JSON.parse(readFileSync(join(ROOT, 'schema/release-gate.schema.json'), 'utf8')));
  });

  it('rejects a bad duration flag with exit 2', async () => {
    const run = await runCli(['run', '--stability', 'forever']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--stability: "forever" is not a duration/);
  });
});
