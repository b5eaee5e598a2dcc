import type { CriterionResult, RunResult, StepResult } from '../model/run-result.js';

/**
 * A fixed, realistic run result (the korrigo preset, failing on one skipped test), used by
 * the reporters' tests and handy for previewing a reporter. Its details hold the awkward
 * cases on purpose: ✅ inside a step detail, a newline, markup and quotes.
 */
export function sampleRunResult(overrides: Partial<RunResult> = {}): RunResult {
  const t0 = Date.parse('2025-03-01T10:00:00.000Z');
  let clock = t0;
  const step = (phase: string, log: string, title: string, ms: number, extra: Partial<StepResult> = {}): StepResult => {
    const startedAt = new Date(clock).toISOString();
    clock += ms;
    return { id: log.replace(/\.log$/, ''), phase, log, title, status: 'passed', startedAt, endedAt: new Date(clock).toISOString(), durationMs: ms, exitCode: 0, detail: 'ok', ...extra };
  };
  const steps: StepResult[] = [
    step('clean', '00_compose_down.log', 'Compose down -v', 1_234),
    step('A', '01_build_nocache.log', 'Build without cache', 95_000, { criterion: 'build', detail: '5 images built' }),
    step('B', '02_up.log', 'Up', 4_000),
    step('B', '03_ps_initial.log', 'Initial ps', 300, { criterion: 'boot', detail: '5/5 running+healthy' }),
    step('B', '06_stability_180s.log', 'Stability watch', 180_000, { criterion: 'stability', detail: '0 restarts, 0 exits, 0 OOM over 180s' }),
    step('D', '11_db_sanity.log', 'DB sanity', 2_100, { criterion: 'pages', detail: '3 lines match pages=(\\d+), all > 0' }),
    step('E', '12_e2e_3runs.log', 'E2E scenario', 6_500, {
      criterion: 'e2e',
      detail: '✅ E2E: 3/3 RUNS PASSED',
      latency: {
        steps: [
          { step: 'login', list: 'setup', samples: 1, failures: 0, p50Ms: 180, p95Ms: 180, maxMs: 180 },
          { step: 'lock', list: 'each', samples: 3, failures: 0, p50Ms: 40, p95Ms: 310, maxMs: 310, limits: { p95Ms: 300 }, exceeded: ['p95 310ms > 300ms'] },
        ],
        failuresPerRun: [0, 0, 0],
        runDurationsMs: [2100, 2000, 2400],
      },
    }),
    step('F', '13_pytest_full.log', 'pytest', 61_000, { status: 'failed', exitCode: 0, criterion: 'tests', detail: '41 passed, 0 failed, 0 errors, 1 skipped (tests/test_x.py::test_skip)' }),
    { id: '14_compose_logs', phase: 'G', log: '14_compose_logs.log', title: 'Compose logs', status: 'not-run', detail: 'not run: gate failed at F' },
  ];
  const criteria: CriterionResult[] = [
    { id: 'build', title: 'Build', passed: true, detail: '5 images built', logs: ['01_build_nocache.log'] },
    { id: 'boot', title: 'Boot', passed: true, detail: '5/5 running+healthy', logs: ['03_ps_initial.log'] },
    { id: 'stability', title: 'Stability', passed: true, detail: '0 restarts, 0 exits, 0 OOM over 180s', logs: ['06_stability_180s.log'] },
    { id: 'pages', title: 'Pages', passed: true, detail: 'every READY copy has pages > 0 ✅', logs: ['11_db_sanity.log'] },
    { id: 'e2e', title: 'E2E', passed: true, detail: '3/3 runs passed', logs: ['12_e2e_3runs.log'] },
    {
      id: 'tests',
      title: 'Tests',
      passed: false,
      detail: '41 passed, 0 failed, 0 errors, 1 skipped (tests/test_x.py::test_skip)\nsee <13_pytest_failing_tests.txt> & "fix"',
      logs: ['13_pytest_full.log', '13_pytest_failing_tests.txt'],
    },
  ];
  return {
    tool: { name: 'release-gate', version: '0.1.0' },
    config: 'presets/korrigo.yml',
    logDir: '/tmp/release_gate_20250301T100000Z',
    verdict: 'failed',
    stoppedAt: 'phase F, step 13_pytest_full: Tests failed',
    complete: true,
    deviations: [],
    startedAt: new Date(t0).toISOString(),
    endedAt: new Date(clock).toISOString(),
    durationMs: clock - t0,
    phases: [],
    steps,
    criteria,
    counts: { 'tests.passed': 41, 'tests.skipped': 1, 'e2e.runs': 3 },
    artifacts: ['00_compose_down.log', '01_build_nocache.log', '13_pytest_failing_tests.txt', '17_validation_summary.log', 'summary.json'],
    ...overrides,
  };
}

/**
 * The sample run as issue 24 shapes it: Tests failed for real, Stability "not judged" (the gate
 * stopped mid-window with nothing wrong seen), an accepted retry as a deviation, and a wait that
 * kept the 502s it got before its first 200.
 */
export function sampleNotJudgedRunResult(): RunResult {
  const base = sampleRunResult();
  const notJudged = 'not judged: the gate stopped at 13_pytest_full after 1m39s of 3m00s (0 restarts seen)';
  return {
    ...base,
    complete: false,
    deviations: ['12_e2e_3runs: 1 retried test accepted (flaky login tracked in #123)'],
    steps: base.steps.map((s) =>
      s.criterion === 'stability'
        ? { ...s, status: 'not-run', notJudged: true, detail: notJudged }
        : s.log === '03_ps_initial.log'
          ? { ...s, answersBefore: [{ answer: '502', count: 101, firstAt: '2025-03-01T10:01:40.000Z', lastAt: '2025-03-01T10:01:50.000Z' }] }
          : s,
    ),
    criteria: base.criteria.map((c) => (c.id === 'stability' ? { ...c, passed: false, notJudged: true, detail: notJudged } : c)),
  };
}

/**
 * Masks ISO timestamps, the run's total duration line and JSON/XML time values, so a
 * snapshot does not depend on the clock. Step durations stay: they are fixed inputs.
 */
export function maskTimes(text: string): string {
  return text
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, '<TS>')
    .replace(/^(Duration: +)\S+$/m, '$1<DUR>')
    .replace(/\b(time="|"durationMs": )[\d.]+/g, '$1<N>');
}
