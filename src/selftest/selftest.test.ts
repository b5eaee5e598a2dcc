import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinJudges, judge, type JudgeSet, type Judgement } from '../checks/judges.js';
import { judgeStability } from '../checks/stability-verdict.js';
import { judgeTestReport } from '../checks/test-report-judge.js';
import type { GateConfig } from '../config/schema.js';
import type { RunResult, StepResult } from '../model/run-result.js';
import { evaluateCriteria } from '../config/criteria.js';
import type { StepEvidence } from '../evidence/evidence-file.js';
import type { LiveOutcome } from '../model/live-outcome.js';
import { formatSelftest, judgeSelftest, selftestResult, selftestSection, type LiveInput } from './selftest.js';
import { KILL_NOT_REACHED } from '../model/live-outcome.js';

/*
 * The engine tested by its own selftest: over a fixed healthy run's evidence, the built-in judges
 * catch every injected defect, and a deliberately weakened judge makes selftest report MISSED.
 */

const criteria = { stability: 'Stability', tests: 'Tests', logs: 'Logs', build: 'Build' };
const config = { criteria } as unknown as GateConfig;

function healthy(extraCriteria: Record<string, string> = {}): { config: GateConfig; result: RunResult; evidence: StepEvidence[] } {
  const evidence: StepEvidence[] = [
    {
      id: 'stab',
      log: 'stab.log',
      judgements: [
        judge('stability', {
          events: [{ at: '2024-01-01T00:00:01.000Z', service: 'backend', kind: 'start' }],
          baseline: { backend: 2, worker: 0 },
          oneShot: [],
          services: [
            { name: 'backend', state: 'running', health: 'healthy', restartCount: 2, oomKilled: false, exitCode: null },
            { name: 'worker', state: 'running', health: 'none', restartCount: 0, oomKilled: false, exitCode: null },
          ],
          at: '2024-01-01T00:00:10.000Z',
          observedMs: 10_000,
          window: { ms: 5000, observedMs: 6000 },
        }) as Judgement,
      ],
    },
    {
      id: 'pytest',
      log: 'pytest.log',
      judgements: [
        judge('exit-code', { exitCode: 0, expected: 0 }) as Judgement,
        judge('tests', {
          report: { total: 3, passed: 3, failed: 0, errors: 0, skipped: 0, xfailed: 0, xpassed: 0, failingIds: [], skippedIds: [], source: 'junit', cases: [] },
          policy: { allowXfail: false },
        }) as Judgement,
      ],
    },
    {
      id: 'logs',
      log: 'logs.log',
      judgements: [judge('log-scan', { patterns: ['\\bERROR\\b', 'Traceback \\(most recent call last\\)'], allow: ['ERROR 404 favicon'], lines: ['INFO ready'], droppedLines: 0, droppedMatches: 0 }) as Judgement],
    },
  ];
  const step = (id: string, criterion: string): StepResult => ({ id, phase: 'P', log: `${id}.log`, title: id, status: 'passed', detail: 'ok', criterion });
  const steps = [step('build', 'build'), step('stab', 'stability'), step('pytest', 'tests'), step('logs', 'logs')];
  const cfg = { criteria: { ...criteria, ...extraCriteria } } as unknown as GateConfig;
  const result = {
    logDir: '/tmp/x',
    verdict: 'passed',
    steps,
    criteria: evaluateCriteria(cfg, steps, new Map(), undefined, false),
  } as unknown as RunResult;
  return { config: cfg, result, evidence };
}

const weakened = (overrides: Partial<JudgeSet>): JudgeSet => ({ ...(builtinJudges as JudgeSet), ...overrides });

describe('release-gate selftest over recorded evidence', () => {
  it('catches every injected defect with the built-in judges', () => {
    const report = judgeSelftest(healthy());
    assert.deepEqual(report.replayMismatches, []);
    assert.deepEqual(report.rows.filter((r) => !r.caught), []);
    assert.deepEqual(report.criteria.map((c) => [c.id, c.caught]), [['stability', true], ['tests', true], ['logs', true], ['build', true]]);
    assert.ok(report.passed);
    assert.match(formatSelftest(report), /SELFTEST PASSED: 4\/4 criteria/);
    // Stability: event, counter, exit and pause mutations; Tests: exit code, a skip, a failure.
    assert.equal(report.rows.filter((r) => r.criterion === 'stability').length, 4);
    assert.ok(report.rows.some((r) => r.criterion === 'stability' && /paused for 2s/.test(r.mutation) && r.caught));
    assert.deepEqual(report.rows.filter((r) => r.criterion === 'tests').map((r) => r.mutation), [
      'the command exits 1 (expected 0)',
      'a skipped testcase added to the report',
      'a failed testcase added to the report',
    ]);
    assert.match(report.rows.find((r) => r.criterion === 'logs')?.detail ?? '', /1 unallowed error line/);
  });

  it('reports Stability MISSED when its judge ignores restart counters', () => {
    const ignoresCounters = (input: Parameters<typeof judgeStability>[0]) =>
      judgeStability({ ...input, services: input.services.map((s) => ({ ...s, restartCount: input.baseline[s.name] ?? 0 })) });
    const report = judgeSelftest({ ...healthy(), judges: weakened({ stability: ignoresCounters }) });
    const missed = report.rows.filter((r) => !r.caught);
    assert.deepEqual(missed.map((r) => [r.criterion, r.mutation]), [['stability', "backend's restart counter up by 1 with no event (a missed event)"]]);
    assert.equal(report.passed, false);
    assert.match(report.criteria.find((c) => c.id === 'stability')?.why ?? '', /restart counter up by 1 .* stayed ✅/);
    assert.match(formatSelftest(report), /Stability +MISSED/);
    assert.match(formatSelftest(report), /SELFTEST FAILED: 3\/4 criteria caught; vacuous:\n {2}Stability: /);
  });

  it('reports Tests MISSED when the skip rule is removed from the test-report judge', () => {
    const noSkipRule: JudgeSet['tests'] = ({ report, policy }) => judgeTestReport({ ...report, skipped: 0, xfailed: 0 }, policy);
    const report = judgeSelftest({ ...healthy(), judges: weakened({ tests: noSkipRule }) });
    assert.deepEqual(report.rows.filter((r) => !r.caught).map((r) => r.mutation), ['a skipped testcase added to the report']);
    assert.equal(report.criteria.find((c) => c.id === 'tests')?.caught, false);
    assert.equal(report.passed, false);
  });

  it('reports Logs MISSED when the scan patterns can never match (an ERE-only class such as [[:digit:]]) and structured levels are off', () => {
    const run = healthy();
    const scan = run.evidence[2]?.judgements[0] as Judgement<'log-scan'>;
    scan.input = { ...scan.input, patterns: ['[[:digit:]]+ skipped'], structuredLevels: false };
    const report = judgeSelftest(run);
    assert.equal(report.criteria.find((c) => c.id === 'logs')?.caught, false);
    assert.match(report.criteria.find((c) => c.id === 'logs')?.why ?? '', /no line could be built/);
  });

  it('catches a JSON error line by its level even when the scan patterns can never match', () => {
    const run = healthy();
    const scan = run.evidence[2]?.judgements[0] as Judgement<'log-scan'>;
    scan.input = { ...scan.input, patterns: ['[[:digit:]]+ skipped'] };
    const report = judgeSelftest(run);
    assert.equal(report.criteria.find((c) => c.id === 'logs')?.caught, true);
    assert.ok(report.rows.some((r) => r.mutation.includes('{"level":"error"')));
  });

  it('calls a criterion vacuous when no step records evidence for it, and fails when the gate did not pass', () => {
    const run = healthy({ e2e: 'E2E' });
    const report = judgeSelftest(run);
    assert.equal(report.passed, false);
    assert.match(report.criteria.find((c) => c.id === 'e2e')?.why ?? '', /did not pass in the healthy run/);
  });

  it('stops when the healthy run did not pass: the reason on the first line, no row, no criterion', () => {
    const base = healthy().result;
    const steps = base.steps.map((s) => (s.id === 'pytest' ? { ...s, status: 'failed' as const, detail: '1 failed: test_login' } : s));
    const failed = judgeSelftest({ ...healthy(), result: { ...base, steps, verdict: 'failed' } });
    assert.equal(failed.passed, false);
    assert.deepEqual([failed.rows, failed.criteria], [[], []]);
    const text = formatSelftest(failed);
    assert.match(text.split('\n')[0] ?? '', /^SELFTEST STOPPED: the healthy run did not pass \(failed\): pytest\.log: 1 failed: test_login$/);
    assert.match(text, /the gate itself did not pass/);
    assert.doesNotMatch(text, /MISSED|vacuous/);
    assert.equal(selftestSection(failed).stopped, 'pytest.log: 1 failed: test_login');
  });

  it('flags recorded verdicts the judges do not reproduce', () => {
    const run = healthy();
    (run.evidence[1]?.judgements[1] as Judgement<'tests'>).input.report.failed = 1;
    const report = judgeSelftest(run);
    assert.equal(report.passed, false);
    assert.match(report.replayMismatches[0] ?? '', /pytest\.log: tests judged passed, re-judged failed/);
  });

  it('calls Tests vacuous when a test run is judged by its exit code only: a skipped test would not be seen', () => {
    const run = healthy();
    const pytest = run.evidence[1] as StepEvidence;
    pytest.judgements = [judge('exit-code', { exitCode: 0, expected: 0, testRun: '3 tests in a node summary line' }) as Judgement];
    const report = judgeSelftest(run);
    const tests = report.criteria.find((c) => c.id === 'tests');
    assert.equal(tests?.caught, false);
    assert.match(tests?.why ?? '', /no test report parsed; a skipped test would not be seen/);
    assert.match(formatSelftest(report), /^ {2}Tests: pytest\.log \(exit-code\): no test report parsed/m);
  });

  it('labels a criterion guarded by exit codes only, and counts it caught', () => {
    const report = judgeSelftest(healthy());
    assert.deepEqual(report.criteria.filter((c) => c.exitCodeOnly).map((c) => c.id), ['build']);
    assert.ok(report.rows.find((r) => r.criterion === 'build')?.exitCodeOnly);
    assert.match(formatSelftest(report), /note: Build is caught by a flipped exit code only/);
  });
});

describe('release-gate selftest: live mutations (judged from the live run)', () => {
  /** The live run's result: its Stability line as given, the rest as the healthy run. */
  const liveRun = (stability: { passed: boolean; detail: string }, live: LiveOutcome): LiveInput => {
    const base = healthy().result;
    return {
      logDir: '/tmp/x/selftest-live',
      result: { ...base, startedAt: '2024-01-01T00:00:00.000Z', endedAt: '2024-01-01T00:00:20.000Z', criteria: base.criteria.map((c) => (c.id === 'stability' ? { ...c, ...stability } : c)) },
      live,
      leftovers: [],
    };
  };
  const kill = { planned: true as const, service: 'worker', at: '2024-01-01T00:00:09.000Z', afterStep: 'e2e.log', seen: true };

  it('catches the kill when Stability turns ❌ naming the killed service, and a token-less request refused', () => {
    const live = liveRun({ passed: false, detail: '1 restarts, 1 exits over 20s (worker)' }, {
      kill,
      probes: [{ log: 'metrics.log', criterion: 'stability', request: 'GET /metrics', without: ['X-Metrics-Token'], status: 403 }],
    });
    const report = judgeSelftest({ ...healthy(), live });
    assert.ok(report.passed, formatSelftest(report));
    const rows = report.rows.filter((r) => r.live);
    assert.deepEqual(rows.map((r) => [r.criterion, r.caught]), [['stability', true], ['stability', true]]);
    assert.match(rows[0]?.mutation ?? '', /live: SIGKILL of worker's main process/);
    assert.match(formatSelftest(report), /live run \(one extra run, same stack\): \/tmp\/x\/selftest-live — killed worker \(SIGKILL\)/);
    assert.deepEqual(selftestSection(report).live, { logDir: 'selftest-live', kill: report.live?.kill, leftovers: [] });
  });

  it('reports MISSED when the kill leaves Stability ✅, or ❌ without naming the service', () => {
    const green = judgeSelftest({ ...healthy(), live: liveRun({ passed: true, detail: '0 restarts over 20s' }, { kill, probes: [] }) });
    assert.equal(green.passed, false);
    assert.match(green.criteria.find((c) => c.id === 'stability')?.why ?? '', /live: SIGKILL of worker.*stayed ✅/);
    const unnamed = judgeSelftest({ ...healthy(), live: liveRun({ passed: false, detail: '0 restarts, 1 exits over 20s (backend)' }, { kill, probes: [] }) });
    assert.equal(unnamed.passed, false);
    assert.match(unnamed.criteria.find((c) => c.id === 'stability')?.why ?? '', /does not name worker/);
  });

  it('reports an endpoint answering 2xx without its credentials as public: MISSED, exit 1', () => {
    const live = liveRun({ passed: false, detail: '1 exits (worker)' }, {
      kill,
      probes: [{ log: 'metrics.log', criterion: 'tests', request: 'GET /metrics', without: ['X-Metrics-Token'], status: 200 }],
    });
    const report = judgeSelftest({ ...healthy(), live });
    assert.equal(report.passed, false);
    assert.match(report.criteria.find((c) => c.id === 'tests')?.why ?? '', /live: GET \/metrics without X-Metrics-Token .*HTTP 200: the endpoint is public/);
    // A request of no criterion still fails selftest: an open endpoint is a hole whatever it guards.
    const stray = judgeSelftest({ ...healthy(), live: { ...live, live: { ...live.live, probes: [{ log: 'm.log', request: 'GET /admin', without: ['cookie sessionid'], status: 204 }] } } });
    assert.equal(stray.passed, false);
    assert.match(formatSelftest(stray), /\(no criterion\): live: GET \/admin without cookie sessionid/);
  });

  it('reads "not run: the live stack did not boot (…)" for each live mutation when the live run failed before its stack was up', () => {
    const run = healthy();
    const cfg = { ...run.config, stack: { driver: 'local', services: {} }, phases: [{ id: 'P', always: false, steps: [{ log: 'up', do: 'up' }, { log: 'ps', do: 'ps', ready: true }, { log: 'stab', do: 'stability', window: '5s', mode: 'overlap' }] }] } as unknown as GateConfig;
    const base = liveRun({ passed: true, detail: 'not judged' }, { kill: { planned: true, error: KILL_NOT_REACHED }, probes: [] });
    const steps: StepResult[] = [{ id: 'ps', phase: 'P', log: 'ps.log', title: 'ps', status: 'failed', detail: '0/1 running+healthy' }];
    const requests = [{ log: 'e2e.log', criterion: 'tests', step: 'items', request: 'items: GET /api/items', without: ['cookie sessionid'] }];
    const report = judgeSelftest({ ...run, config: cfg, live: { ...base, result: { ...base.result, verdict: 'failed', steps }, requests } });
    assert.equal(report.passed, false);
    const live = report.rows.filter((r) => r.live);
    assert.deepEqual(live.map((r) => [r.criterion, selftestResult(r), r.detail]), [
      ['stability', 'not run', 'not run: the live stack did not boot (ps.log: 0/1 running+healthy)'],
      ['tests', 'not run', 'not run: the live stack did not boot (ps.log: 0/1 running+healthy)'],
    ]);
    assert.deepEqual(report.criteria.filter((c) => c.notProven).map((c) => c.id), ['stability', 'tests']);
    assert.doesNotMatch(formatSelftest(report), /MISSED|vacuous/);
  });

  it('counts a kill the driver cannot do as n/a, not caught and not missed; anything left running fails', () => {
    const na = judgeSelftest({ ...healthy(), live: liveRun({ passed: true, detail: 'ok' }, { kill: { planned: true, notApplicable: 'the external driver cannot kill a service' }, probes: [] }) });
    assert.ok(na.passed, formatSelftest(na));
    assert.match(formatSelftest(na), /^Stability +n\/a +live: SIGKILL/m);
    const left = liveRun({ passed: false, detail: '1 exits (worker)' }, { kill, probes: [] });
    const report = judgeSelftest({ ...healthy(), live: { ...left, leftovers: ['worker (running)'] } });
    assert.equal(report.passed, false);
    assert.match(formatSelftest(report), /LEFT RUNNING after the live run: worker \(running\)/);
  });
});
