import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort, marker, processesWith, runCli, tempDir, webGateYaml, writeConfig } from './helpers.js';

/*
 * Issue 24, "fresh evidence only": each case once gave a ✅ (or a second ❌) it should not have.
 * Every test runs the real CLI on real processes: the fixture server under the local driver.
 */

interface Gate {
  /** Extra env for the web service; a function gets the test's dir. */
  web?: Record<string, string> | ((dir: string) => Record<string, string>);
  /** YAML of the steps of phase `check` (after boot); a function gets the service's port and the test's dir. */
  steps: (ctx: { port: number; dir: string }) => string;
  /** Stability window (default 1s). */
  window?: string;
  /** Files to create in the test's dir before the run. */
  before?: (dir: string) => void;
  /** Extra criteria (id: title) beside boot, stability and check. */
  criteria?: Record<string, string>;
  /** Extra CLI arguments (`--deadline 3s`). */
  args?: string[];
}

interface SummaryJson {
  verdict: string;
  complete: boolean;
  deviations: string[];
  counts: Record<string, number>;
  criteria: { id: string; title: string; passed: boolean; detail: string; notJudged?: boolean }[];
  steps: { log: string; status: string; detail: string; history?: unknown; retries?: unknown }[];
}

async function gate(g: Gate) {
  const dir = tempDir('rg-fresh-');
  const port = await freePort();
  const mark = marker();
  g.before?.(dir);
  const webEnv = { PORT: String(port), MARKER: mark, ...(typeof g.web === 'function' ? g.web(dir) : g.web) };
  const criteria = JSON.stringify({ boot: 'Boot', stability: 'Stability', check: 'Check', ...g.criteria });
  const config = writeConfig(dir, webGateYaml({ name: 'fresh-evidence', port, mark, env: webEnv, criteria, window: g.window, checkSteps: g.steps({ port, dir }) }));
  const logDir = join(dir, 'logs');
  const run = await runCli(['run', '--config', config, '--log-dir', logDir, ...(g.args ?? [])], { cwd: dir });
  const read = (name: string) => readFileSync(join(logDir, name), 'utf8');
  const summary = existsSync(join(logDir, '99_summary.log')) ? read('99_summary.log') : '';
  const line = (title: string) => summary.split('\n').find((l) => l.includes(` ${title}:`)) ?? '';
  const json = () => JSON.parse(read('summary.json')) as SummaryJson;
  assert.deepEqual(processesWith(mark), [], 'processes left running');
  return { ...run, dir, port, logDir, read, summary, line, json, out: run.stdout + run.stderr };
}

const ALL_PASSED = '<?xml version="1.0"?><testsuites><testsuite name="s" tests="2"><testcase classname="t" name="a"/><testcase classname="t" name="b"/></testsuite></testsuites>\n';

describe('a report must be this step\'s', () => {
  it('fails Tests with "stale report" when the step writes no JUnit file and an old all-passing one is there', async () => {
    const run = await gate({
      before: (dir) => {
        writeFileSync(join(dir, 'junit.xml'), ALL_PASSED);
        // Left by an earlier run, dated 2024.
        const old = new Date('2024-06-01T12:00:00Z');
        utimesSync(join(dir, 'junit.xml'), old, old);
      },
      steps: ({ dir }) => `      - { log: 13_tests, do: exec, service: web, run: "echo 'tests: nothing written'", results: { junit: ${JSON.stringify(join(dir, 'junit.xml'))} }, criterion: check }`,
    });
    assert.equal(run.code, 1, run.out);
    assert.match(run.line('Check'), /❌ Check: stale report: .*junit\.xml last written 2024-06-01T12:00:00\.000Z, before the step started at 20\d\d-/);
    assert.match(run.read('13_tests.log'), /✗ stale report: /);
    assert.doesNotMatch(run.summary, /✅ Check/);
  });

  it('accepts the report the step itself wrote', async () => {
    const run = await gate({
      before: (dir) => writeFileSync(join(dir, 'source.xml'), ALL_PASSED),
      steps: ({ dir }) => `      - { log: 13_tests, do: exec, service: web, run: ${JSON.stringify(`cp ${join(dir, 'source.xml')} ${join(dir, 'junit.xml')}`)}, results: { junit: ${JSON.stringify(join(dir, 'junit.xml'))} }, criterion: check }`,
    });
    assert.equal(run.code, 0, run.out);
    assert.match(run.line('Check'), /✅ Check: 2 passed/);
  });
});

const FLAKY = '<?xml version="1.0"?><testsuites><testsuite name="s" tests="2"><testcase classname="t" name="a"/><testcase classname="t" name="flaky_login"><flakyFailure message="timeout on first try"/></testcase></testsuite></testsuites>\n';

/** A tests step that writes `xml` as its report during the step. */
const writesReport = (xml: string, results = '') => (ctx: { dir: string }) => {
  writeFileSync(join(ctx.dir, 'source.xml'), xml);
  const out = join(ctx.dir, 'junit.xml');
  return `      - { log: 13_tests, do: exec, service: web, run: ${JSON.stringify(`cp ${join(ctx.dir, 'source.xml')} ${out}`)}, results: { junit: ${JSON.stringify(out)}${results} }, criterion: check }`;
};

describe('retries and unselected tests are not clean', () => {
  it('fails Tests on a test that passed only on a rerun (flakyFailure), naming it', async () => {
    const run = await gate({ steps: writesReport(FLAKY) });
    assert.equal(run.code, 1, run.out);
    assert.match(run.line('Check'), /❌ Check: 2 passed, 0 failed, 0 errors, 0 skipped, 1 retried \(t::flaky_login\)/);
    assert.match(run.read('13_tests.log'), /TESTS: 2 passed, 0 failed, 0 errors, 0 skipped, 0 xfailed, 1 retried, 0 deselected \(source: junit\)/);
    assert.match(run.read('13_tests_failing_tests.txt'), /^RERUN t::flaky_login - timeout on first try$/m);
    assert.equal(run.json().counts['tests.retried'], 1);
  });

  it('accepts a retry with allowRetries, as a deviation shown in summary.json, junit.xml and the summary log', async () => {
    const run = await gate({ steps: writesReport(FLAKY, ', allowRetries: "flaky login tracked in #123"') });
    assert.equal(run.code, 0, run.out);
    assert.match(run.line('Check'), /✅ Check: .*1 retried \(t::flaky_login\) \(accepted: flaky login tracked in #123\)/);
    const json = run.json();
    assert.equal(json.complete, false);
    assert.deepEqual(json.deviations, ['13_tests: 1 retried test accepted (flaky login tracked in #123)']);
    assert.match(run.summary, / Partial: 13_tests: 1 retried test accepted \(flaky login tracked in #123\)$/m);
    assert.match(run.summary, /RESULT: GATE PASSED — PARTIAL \(13_tests: 1 retried test accepted/);
    assert.match(run.out, /✅ GATE PASSED — PARTIAL \(13_tests: 1 retried test accepted/);
    assert.match(run.read('junit.xml'), /<property name="deviations" value="13_tests: 1 retried test accepted \(flaky login tracked in #123\)"\/>/);
    assert.match(run.read('report.html'), /GATE PASSED — PARTIAL \(13_tests: 1 retried test accepted/);
  });

  it('counts pytest\'s "1 rerun" and "2 deselected" from its summary line, and fails on them', async () => {
    const output = ['tests/test_api.py::test_login RERUN [ 33%]', 'tests/test_api.py::test_login PASSED [ 33%]', 'tests/test_api.py::test_lock PASSED [ 66%]', '==== 2 passed, 2 deselected, 1 rerun in 0.42s ===='];
    const run = await gate({ steps: () => `      - { log: 13_tests, do: exec, service: web, run: ${JSON.stringify(output.map((l) => `echo '${l}'`).join('; '))}, results: {}, criterion: check }` });
    assert.equal(run.code, 1, run.out);
    assert.match(run.line('Check'), /❌ Check: 2 passed, 0 failed, 0 errors, 0 skipped, 1 retried \(tests\/test_api\.py::test_login\), 2 deselected/);
    assert.match(run.read('13_tests.log'), /TESTS: 2 passed, 0 failed, 0 errors, 0 skipped, 0 xfailed, 1 retried, 2 deselected \(source: pytest\)/);
    const json = run.json();
    assert.equal(json.counts['tests.deselected'], 2);
    assert.equal(json.counts['tests.retried'], 1);
  });

  it('accepts deselected tests with allowDeselected, never silently', async () => {
    const run = await gate({ steps: () => `      - { log: 13_tests, do: exec, service: web, run: "echo '==== 5 passed, 2 deselected in 0.42s ===='", results: { allowDeselected: "slow suite runs nightly" }, criterion: check }` });
    assert.equal(run.code, 0, run.out);
    assert.deepEqual(run.json().deviations, ['13_tests: 2 deselected tests accepted (slow suite runs nightly)']);
    assert.match(run.line('Check'), /✅ Check: 5 passed, .*2 deselected \(accepted: slow suite runs nightly\)/);
  });
});

describe('scenario retries are counted', () => {
  const e2e = (extra = '') =>
    `      - log: 12_e2e
        do: scenario
        criterion: check
        scenario:
          runs: 3
          each:
            - { name: list, request: { url: /health }, retry: { attempts: 5, interval: 50ms }${extra} }
            - { name: home, request: { url: / } }`;

  it('fails E2E by default on a step that passed only after a retry, naming it in the log, the criterion line and summary.json', async () => {
    const run = await gate({ web: { HEALTH_FAIL_FIRST: '2' }, steps: () => e2e() });
    assert.equal(run.code, 1, run.out);
    assert.match(run.line('Check'), /❌ Check: 3\/3 runs passed \(1 step passed only after a retry: list ×1\)/);
    const log = run.read('12_e2e.log');
    assert.match(log, /list passed only on attempt 3\/5 \(after 2 retries\)/);
    assert.match(log, /RETRIES: 1 step passed only after a retry: list ×1/);
    assert.doesNotMatch(log, /E2E.*RUN.*PASSED/);
    const step = run.json().steps.find((s) => s.log === '12_e2e.log');
    assert.deepEqual(step?.retries, [{ step: 'list', times: 1, retries: 2 }]);
    assert.equal(run.json().counts['e2e.retriedSteps'], 1);
  });

  it('accepts it with allowRetries: passes, as a deviation in summary.json and the summary', async () => {
    const run = await gate({ web: { HEALTH_FAIL_FIRST: '2' }, steps: () => e2e(', allowRetries: "health cache warms up"') });
    assert.equal(run.code, 0, run.out);
    assert.match(run.line('Check'), /✅ Check: 3\/3 runs passed \(1 step passed only after a retry: list ×1 \(accepted: health cache warms up\)\)/);
    assert.deepEqual(run.json().deviations, ['12_e2e: list passed only after a retry ×1 (accepted: health cache warms up)']);
    assert.equal(run.json().complete, false);
  });
});

describe('waits keep their history', () => {
  it('records the 502s a wait got before its first 200, in its log and in summary.json', async () => {
    const run = await gate({
      web: { HEALTH_FAIL_FIRST: '6' },
      steps: () => '      - { log: 04_wait_health, do: wait-http, url: /health, timeout: 30s, interval: 50ms, criterion: check }',
    });
    assert.equal(run.code, 0, run.out);
    assert.match(run.read('04_wait_health.log'), /answers before the first good one: 502 ×6 \(\d\d:\d\d:\d\d\.\d{3}–\d\d:\d\d:\d\d\.\d{3}\)/);
    const step = run.json().steps.find((s) => s.log === '04_wait_health.log') as { answersBefore?: { answer: string; count: number; firstAt: string; lastAt: string }[] };
    assert.equal(step.answersBefore?.length, 1, JSON.stringify(step));
    assert.deepEqual([step.answersBefore?.[0]?.answer, step.answersBefore?.[0]?.count], ['502', 6]);
    assert.ok((step.answersBefore?.[0]?.firstAt ?? '') <= (step.answersBefore?.[0]?.lastAt ?? ''));
  });
});

describe('one defect, one red', () => {
  it('reads Stability "not judged" when another step fails mid-window: one ❌, the verdict red from the real failure', async () => {
    const run = await gate({ window: '60s', steps: () => '      - { log: 05_fails, do: host, run: "echo broken; exit 1", criterion: check }' });
    assert.equal(run.code, 1, run.out);
    const marked = run.summary.split('\n').filter((l) => /✅|❌/.test(l));
    assert.equal(marked.filter((l) => l.includes('❌')).length, 1, run.summary);
    assert.match(run.line('Check'), /❌ Check: /);
    const stability = run.line('Stability');
    assert.match(stability, / – Stability: not judged: the gate stopped at 05_fails after \d+(\.\d)?m?s of 1m00s \(0 restarts seen\)$/);
    assert.doesNotMatch(stability, /✅|❌/);
    assert.match(run.out, /– Stability: not judged: the gate stopped at 05_fails/);
    assert.match(run.summary, /--- Criteria: 1\/2 passed ---/);
    const json = run.json();
    assert.equal(json.verdict, 'failed');
    const criterion = json.criteria.find((c) => c.id === 'stability');
    assert.equal(criterion?.notJudged, true);
    assert.equal(criterion?.passed, false);
    const junit = run.read('junit.xml');
    assert.match(junit, /<testcase classname="release-gate" name="Stability"[^>]*>\s*<skipped message="not judged: the gate stopped at 05_fails/);
    assert.match(junit, /failures="1"/);
    assert.match(run.read('report.html'), /not judged: the gate stopped at 05_fails/);
    assert.match(run.read('03_stability_60s.log'), /=== NOT JUDGED in /);
  });

  it('keeps Stability ❌ when a restart was seen before the gate stopped', async () => {
    const run = await gate({
      window: '60s',
      // The service crashes once (exit 3) when the step creates crash-now; `restart: always` brings it back.
      web: (dir) => ({ CRASH_ONCE_FILE: join(dir, 'crashed-once'), CRASH_WHEN_FILE: join(dir, 'crash-now') }),
      steps: ({ dir }) => `      - { log: 05_crash, do: host, run: ${JSON.stringify(`touch ${join(dir, 'crash-now')}; sleep 3`)} }
      - { log: 06_fails, do: host, run: "exit 1", criterion: check }`,
    });
    assert.equal(run.code, 1, run.out);
    assert.match(run.line('Stability'), /❌ Stability: [1-9]\d* restarts/);
    assert.doesNotMatch(run.line('Stability'), /not judged/);
  });

  it('reads every criterion the gate never reached "not judged": one ❌ for one defect, in every report', async () => {
    const run = await gate({
      window: '60s',
      criteria: { migrations: 'Migrations' },
      steps: () => `      - { log: 05_migrate, do: host, run: "echo migration 0042 failed; exit 1", criterion: migrations }
      - { log: 06_check, do: host, run: "echo checked", criterion: check }`,
    });
    assert.equal(run.code, 1, run.out);
    const marked = run.summary.split('\n').filter((l) => /✅|❌/.test(l));
    assert.deepEqual(marked.filter((l) => l.includes('❌')), [marked.find((l) => l.includes(' ❌ Migrations:'))], run.summary);
    assert.match(run.line('Check'), / – Check: not judged: the gate stopped at 05_migrate after \d+(\.\d)?m?s$/);
    assert.match(run.line('Stability'), / – Stability: not judged: the gate stopped at 05_migrate after /);
    assert.doesNotMatch(run.summary, /❌[^\n]*not run/);
    assert.match(run.out, /– Check: not judged: the gate stopped at 05_migrate/);
    const json = run.json();
    assert.equal(json.verdict, 'failed');
    assert.deepEqual(
      json.criteria.map((c) => [c.id, c.passed, c.notJudged ?? false]),
      [['boot', true, false], ['stability', false, true], ['check', false, true], ['migrations', false, false]],
    );
    const junit = run.read('junit.xml');
    assert.match(junit, /<testcase classname="release-gate" name="Check"[^>]*>\s*<skipped message="not judged: the gate stopped at 05_migrate after /);
    assert.match(junit, /failures="1"/);
    assert.match(run.read('report.html'), /not judged: the gate stopped at 05_migrate after /);
  });

  it('reads what the deadline left unjudged "not judged", and the run itself ❌ when no criterion failed', async () => {
    const run = await gate({ window: '60s', args: ['--deadline', '4s'], steps: () => '      - { log: 05_check, do: host, run: "echo checked", criterion: check }' });
    assert.equal(run.code, 1, run.out);
    assert.match(run.line('Stability'), / – Stability: not judged: the gate's deadline passed after \d+(\.\d)?s of 1m00s \(0 restarts seen\)$/);
    assert.match(run.line('Check'), / ✅ Check: /);
    assert.match(run.line('Run completed'), / ❌ Run completed: timed out: the gate's deadline passed after \d+(\.\d)?s$/);
    assert.equal(run.summary.split('\n').filter((l) => l.includes('❌')).length, 1, run.summary);
    assert.equal(run.json().verdict, 'timedout');
  });
});
