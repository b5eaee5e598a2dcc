import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveRun } from '../src/cli/resolve-run.js';
import { stackEnv } from '../src/cli/run-command.js';
import { FIXTURES, freePort, marker, processesWith, runCli, tempDir, webGateYaml, writeConfig } from './helpers.js';

/*
 * "A green that cannot lie": each case here once gave ✅ where it should not have. Every
 * test runs the real CLI on real processes (the fixture server under the local driver).
 */

interface Gate {
  /** Extra env for the web service. */
  web?: Record<string, string>;
  /** YAML of the steps of phase `check` (after boot); a function gets the service's port. */
  steps: string | ((port: number) => string);
  criteria?: string;
}

async function gate(g: Gate, args: string[] = [], env: Record<string, string> = {}) {
  const dir = tempDir();
  const port = await freePort();
  const mark = marker();
  const webEnv = { PORT: String(port), MARKER: mark, ...g.web };
  const criteria = `{ boot: Boot, stability: Stability, check: Check${g.criteria ?? ''} }`;
  const checkSteps = typeof g.steps === 'string' ? g.steps : g.steps(port);
  const config = writeConfig(dir, webGateYaml({ name: 'false-greens', port, mark, env: webEnv, criteria, checkSteps }));
  const logDir = join(dir, 'logs');
  const run = await runCli(['run', '--config', config, '--log-dir', logDir, ...args], { cwd: dir, env });
  const read = (name: string) => readFileSync(join(logDir, name), 'utf8');
  const summary = existsSync(join(logDir, '99_summary.log')) ? read('99_summary.log') : '';
  const line = (title: string) => summary.split('\n').find((l) => l.includes(` ${title}:`)) ?? '';
  const json = () => JSON.parse(read('summary.json')) as { complete: boolean; deviations: string[]; verdict: string };
  assert.deepEqual(processesWith(mark), [], 'processes left running');
  return { ...run, dir, port, logDir, read, summary, line, json, out: run.stdout + run.stderr };
}

describe('a green that cannot lie', () => {
  it('refuses a 200 HTML page where a Prometheus exposition is expected, naming what came back and what to do', async () => {
    const run = await gate({
      web: { METRICS_HTML: '1' },
      steps: '      - { log: 05_wait_metrics, do: wait-http, url: /metrics, expect: { prometheus: true }, timeout: 60s, interval: 100ms, criterion: check }',
    });
    assert.equal(run.code, 1, run.out);
    const line = run.line('Check');
    assert.match(line, /❌/);
    assert.match(line, /200 text\/html, "<!doctype html>.*not a Prometheus exposition/);
    assert.match(line, /routed by the proxy.*via: \{ service/);
    // The same wrong page three times is an answer: no 60 s wait.
    assert.match(run.read('05_wait_metrics.log'), /=== FAILED in [0-9]\.\ds/);
  });

  it('accepts a real exposition with the token, and says which content type it got', async () => {
    const run = await gate(
      {
        web: { METRICS_TOKEN: 'metrics-t0ken-value' },
        steps: '      - { log: 05_wait_metrics, do: wait-http, url: /metrics, headers: { X-Metrics-Token: "${METRICS_TOKEN}" }, expect: { prometheus: true, contentType: text/plain }, criterion: check }',
      },
      [],
      { METRICS_TOKEN: 'metrics-t0ken-value' },
    );
    assert.equal(run.code, 0, run.out);
    assert.match(run.line('Check'), /✅ Check: GET \/metrics → 200 text\/plain/);
  });

  it('fails fast with "token rejected" on the same 403 three times, not after the whole budget', async () => {
    const run = await gate({
      web: { METRICS_TOKEN: 'the-app-token' },
      steps: '      - { log: 05_wait_metrics, do: wait-http, url: /metrics, timeout: 120s, interval: 100ms, criterion: check }',
    });
    assert.equal(run.code, 1, run.out);
    assert.match(run.line('Check'), /❌ Check: GET \/metrics → 403 3 times in a row: token rejected/);
    assert.match(run.read('05_wait_metrics.log'), /=== FAILED in [0-9]\.\ds/);
  });

  it('probes from inside a service when the proxy hides the endpoint, the token kept off the command line', async () => {
    const run = await gate(
      {
        web: { METRICS_HTML: '1', METRICS_TOKEN: 'in-stack-t0ken' },
        steps: (port) => `      - log: 05_wait_metrics
        do: wait-http
        url: /inside/metrics
        via: { service: web, baseUrl: "http://127.0.0.1:${port}" }
        headers: { X-Metrics-Token: "\${METRICS_TOKEN}" }
        expect: { prometheus: true }
        criterion: check`,
      },
      [],
      { METRICS_TOKEN: 'in-stack-t0ken' },
    );
    assert.equal(run.code, 0, run.out);
    assert.match(run.line('Check'), /✅ Check: GET \/inside\/metrics from web → 200 text\/plain/);
    const log = run.read('05_wait_metrics.log');
    assert.match(log, /from inside web/);
    assert.doesNotMatch(log, /in-stack-t0ken/);
  });

  it('refuses a window of 0s or above a day, with exit 2, before anything starts', async () => {
    for (const window of ['0s', '25h']) {
      const run = await runCli(['run', '--config', join(FIXTURES, 'no-such.yml'), '--stability', window], { cwd: tempDir() });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /--stability: .* out of range/);
    }
  });

  it('marks a partial run: PARTIAL everywhere, unselected criteria "not selected", exit 0 when what ran passed', async () => {
    const run = await gate(
      {
        steps: '      - { log: 05_echo, do: host, run: "echo checked", criterion: check }',
        criteria: ', extra: Extra',
      },
      ['--skip', 'check'],
    );
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /✅ GATE PASSED — PARTIAL \(--skip check\)/);
    assert.match(run.summary, /RESULT: GATE PASSED — PARTIAL \(--skip check\) \(2\/2 criteria passed\)/);
    assert.match(run.line('Check'), / – Check: not selected$/);
    assert.equal(run.summary.split('\n').filter((l) => /✅|❌/.test(l)).length, 2);
    const json = run.json();
    assert.equal(json.complete, false);
    assert.deepEqual(json.deviations, ['--skip check']);
    assert.match(run.read('junit.xml'), /<property name="complete" value="false"\/>/);
    assert.match(run.read('junit.xml'), /<skipped message="not selected"\/>/);
    assert.match(run.read('report.html'), /class="verdict passed partial">GATE PASSED — PARTIAL/);
  });

  it('marks a window shorter than the config\'s own as partial', async () => {
    const run = await gate({ steps: '      - { log: 05_echo, do: host, run: "echo checked", criterion: check }' }, ['--stability', '500ms']);
    assert.equal(run.code, 0, run.out);
    assert.deepEqual(run.json().deviations, ['stability window 500ms (config: 1s)']);
  });

  it('refuses two steps writing the same log, naming both places', async () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      `
stack: { driver: local, services: { web: { command: [sleep, "60"] } } }
phases:
  - id: a
    steps:
      - { id: one, log: 07_migrate, do: host, run: "true" }
      - { id: two, log: 07_migrate, do: host, run: "false" }
`,
    );
    const run = await runCli(['run', '--config', config, '--log-dir', join(dir, 'logs')], { cwd: dir });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /phases\[0\]\.steps\[1\]\.log: duplicate log name "07_migrate" \(also phases\[0\]\.steps\[0\]\)/);
    assert.equal(existsSync(join(dir, 'logs')), false);
  });

  it('gives no green without evidence: a test report with no test case is ❌ "no evidence"', async () => {
    const dir = tempDir();
    const empty = join(dir, 'empty-junit.xml');
    writeFileSync(empty, '<?xml version="1.0"?><testsuites><testsuite name="s" tests="0" failures="0" errors="0" skipped="0"></testsuite></testsuites>\n');
    // Written by the step itself (a copy), so it is this step's report, not a stale one.
    const junit = join(dir, 'out-junit.xml');
    const run = await gate({ steps: `      - { log: 13_tests, do: exec, service: web, run: ${JSON.stringify(`echo 'collected 0 items'; cp ${empty} ${junit}`)}, results: { junit: ${JSON.stringify(junit)} }, criterion: check }` });
    assert.equal(run.code, 1, run.out);
    assert.match(run.line('Check'), /❌ Check: (no evidence|no tests ran)/);
  });

  it('gives no green to an expectation that matched no line', async () => {
    const run = await gate({ steps: `      - { log: 11_db_sanity, do: exec, service: web, run: "echo 'copies READY: 0'", expect: { eachMatch: 'pages=(\\d+)', greaterThan: 0, atLeast: 0 }, criterion: check }` });
    assert.equal(run.code, 1, run.out);
    assert.match(run.line('Check'), /❌ Check: no evidence: 0 lines match/);
  });

  it('names the signal behind an exit code and keeps the counts that were measured', async () => {
    const run = await gate({ steps: '      - { log: 13_tests, do: exec, service: web, run: "echo \'===== 477 passed in 61.2s =====\'; kill -s SEGV $$$$", results: {}, criterion: check }' });
    assert.equal(run.code, 1, run.out);
    assert.match(run.line('Check'), /exit code 139 \(SIGSEGV\) \(expected 0\); 477 passed, 0 failed, 0 errors, 0 skipped/);
  });

  it('with via.mode auto, reads /metrics inside the service once the proxy answers its HTML page', async () => {
    const step = (mode: string) => (port: number) => `      - log: 05_wait_metrics
        do: wait-http
        url: /metrics
        via: { service: web, baseUrl: "http://localhost:${port}", mode: ${mode} }
        expect: { prometheus: true }
        interval: 100ms
        criterion: check`;
    const auto = await gate({ web: { METRICS_HTML: '1' }, steps: step('auto') });
    assert.equal(auto.code, 0, auto.out);
    assert.match(auto.line('Check'), /✅ Check: GET \/metrics → 200 text\/plain.*\(from inside web: the proxy answers HTML\)/);
    assert.match(auto.read('05_wait_metrics.log'), /the proxy answers \/metrics with 200 text\/html, "<!doctype html>.*probing inside web/);
    // Told to stay on the proxy, the HTML is refused: never a green on it.
    const proxy = await gate({ web: { METRICS_HTML: '1' }, steps: step('proxy') });
    assert.equal(proxy.code, 1, proxy.out);
    assert.match(proxy.line('Check'), /❌ Check: GET \/metrics → 200 text\/html.*not a Prometheus exposition/);
  });
});

describe('the env file rule', () => {
  it('uses the value the stack env file sets where the environment gives none, and passes no empty variable to the stack', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'docker-compose.yml'), 'services: {}\n');
    writeFileSync(join(dir, '.env'), 'METRICS_TOKEN=from-the-env-file\nDEBUG=False\n');
    const config = writeConfig(
      dir,
      `
stack: { driver: compose, file: docker-compose.yml, envFile: .env }
env: { METRICS_TOKEN: "\${METRICS_TOKEN:-}", DJANGO_ENV: "\${DJANGO_ENV:-}" }
secrets: { env: [METRICS_TOKEN] }
phases: [{ id: a, steps: [{ log: 05_wait_metrics, do: wait-http, url: /metrics, headers: { X-Metrics-Token: "\${METRICS_TOKEN:-}" } }] }]
`,
    );
    const run = resolveRun({ config }, dir, { METRICS_TOKEN: '' });
    assert.equal(run.env['METRICS_TOKEN'], 'from-the-env-file');
    const step = run.config.phases[0]?.steps[0] as unknown as { headers: Record<string, string> };
    assert.equal(step.headers['X-Metrics-Token'], 'from-the-env-file');
    assert.deepEqual(run.fromEnvFile, { METRICS_TOKEN: 'from-the-env-file', DEBUG: 'False' });
    // What the stack gets: no empty value that would blank the env file's.
    assert.deepEqual(stackEnv({ METRICS_TOKEN: '', DJANGO_ENV: '', KEEP: 'x' }, {}), { KEEP: 'x' });
    // The environment wins over the env file when it has a value, as compose does.
    assert.equal(resolveRun({ config }, dir, { METRICS_TOKEN: 'from-the-shell' }).env['METRICS_TOKEN'], 'from-the-shell');
  });
});
