/**
 * Every verdict a step gives is a pure function of recorded evidence (plain JSON): the steps
 * call these judges themselves and record their input, so `release-gate selftest` can re-judge
 * the same evidence with one defect injected, with exactly the judge the run used.
 */
import { checkContent, type ContentExpectation, type HttpAnswer } from './http-answer.js';
import { judgeImageBudget, type ImageBudgetInput } from './image-budget.js';
import { judgeResources, type ResourceBudgetInput } from './resource-budget.js';
import { compareProbeOutputs } from './idempotence-diff.js';
import { scanLines } from './log-scan.js';
import { checkOutput, type OutputExpectation } from './output-expectation.js';
import { judgeRestore, type RestoreInput } from './restore-verdict.js';
import { judgeStability, type StabilityInput } from './stability-verdict.js';
import { judgeShutdown, type ShutdownInput } from './shutdown-verdict.js';
import type { TestPolicy, TestReport } from './test-report.js';
export type { ShutdownInput } from './shutdown-verdict.js';
import { judgeTestReport } from './test-report-judge.js';
import { judgeUpgrade, type UpgradeInput } from './upgrade-verdict.js';

export type { ImageBudgetInput } from './image-budget.js';
export type { ResourceBudgetInput } from './resource-budget.js';

/** A verdict; a scenario also gives verdicts for the criteria its steps are tagged with. */
export interface Verdict {
  passed: boolean;
  detail: string;
  /** `notJudged`: the scenario stopped at an earlier failure before any step of this criterion ran. */
  criteria?: Record<string, { passed: boolean; detail: string; notJudged?: true }>;
}

export interface ExitCodeInput {
  exitCode: number;
  expected: number;
  /**
   * A test runner's summary found in the output of a step that parses no test report
   * (`results:`): its exit code is then all that is judged, and a skipped test goes unseen.
   */
  testRun?: string | undefined;
}

export interface OutputInput {
  lines: string[];
  expectation: OutputExpectation;
}

export interface TestReportInput {
  report: TestReport;
  policy: TestPolicy;
}

export interface ProbeRun {
  output: string;
  exitCode: number;
}

export interface IdempotenceInput {
  before: ProbeRun;
  after: ProbeRun;
}

export interface LogScanInput {
  patterns: string[];
  allow: string[];
  /** JSON lines judged by their level field too (absent in older evidence: true). */
  structuredLevels?: boolean | undefined;
  /** The last lines scanned (bounded); older ones are summarised by the two counts below. */
  lines: string[];
  droppedLines: number;
  /** Unallowed lines among the dropped ones. */
  droppedMatches: number;
}

export interface HttpAnswerInput {
  statuses: number[];
  expect?: ContentExpectation | undefined;
  /** The last answer; null when none came (network error). */
  answer: HttpAnswer | null;
  /** The network error when there was no answer. */
  problem?: string | undefined;
}

export type { RestoreInput } from './restore-verdict.js';

/** One service as Boot judges it: its restarts are counted since the watch's baseline. */
export interface BootService {
  name: string;
  state: string;
  health: string;
  exitCode: number | null;
  oneShot?: boolean | undefined;
  restarts: number;
}

export interface BootInput {
  services: BootService[];
  /** Services expected (`services:`); the number found when absent. */
  expected?: number | undefined;
}

/** One execution of a scenario step, as the runner recorded it. */
export interface ScenarioExecution {
  /** `setup`, `run 2/3`, `teardown`. */
  where: string;
  step: string;
  criterion?: string | undefined;
  /** HTTP status received, with the statuses expected (null = any 2xx). */
  status?: number | undefined;
  expected?: number[] | null | undefined;
  /** Why it failed other than by its status (an assertion, a capture, a network error). */
  failure?: string | undefined;
}

export interface ScenarioInput {
  runs: number;
  executions: ScenarioExecution[];
  /** Criteria some step is tagged with (a tag never executed is "not run": ❌, or "not judged" after an earlier failure). */
  tagged: string[];
}

/** Ready = running, and healthy where the service has a healthcheck; a one-shot job that exited 0 is done. */
export function isReadyService(s: Pick<BootService, 'state' | 'health' | 'exitCode' | 'oneShot'>): boolean {
  if (s.oneShot) return s.state === 'exited' ? s.exitCode === 0 : s.state === 'running';
  return s.state === 'running' && (s.health === 'healthy' || s.health === 'none');
}

/** Boot: every service ready, none restarted since the watch began, as many as expected. */
export function judgeBoot(input: BootInput): Verdict {
  const { services } = input;
  if (services.length === 0) return { passed: false, detail: `no service found (0/${input.expected ?? 'at least 1'})` };
  const broken = services.flatMap((s) =>
    s.restarts > 0 ? [`${s.name} restarted ${s.restarts} time${s.restarts === 1 ? '' : 's'}`] : s.state === 'restarting' ? [`${s.name} is restarting`] : [],
  );
  const ready = services.filter((s) => isReadyService(s) && s.restarts === 0).length;
  const expected = input.expected ?? services.length;
  const notReady = services.filter((s) => !isReadyService(s)).map((s) => `${s.name}: ${s.state}/${s.health}`);
  const passed = broken.length === 0 && ready === services.length && services.length === expected;
  const detail = `${ready}/${expected} running+healthy${broken.length ? ` (${broken.join(', ')} before the check)` : ''}${notReady.length ? ` (not ready: ${notReady.join(', ')})` : ''}${
    services.length !== expected ? ` (found ${services.length} services)` : ''
  }`;
  return { passed, detail };
}

export function judgeExitCode(input: ExitCodeInput): Verdict {
  const passed = input.exitCode === input.expected;
  return { passed, detail: passed ? `exit code ${input.exitCode}` : `exit code ${input.exitCode} (expected ${input.expected})` };
}

export function judgeOutput(input: OutputInput): Verdict {
  const result = checkOutput(input.lines, input.expectation);
  return { passed: result.passed, detail: result.detail };
}

export function judgeTests(input: TestReportInput): Verdict {
  return judgeTestReport(input.report, input.policy);
}

export function judgeIdempotence(input: IdempotenceInput): Verdict {
  const broken = [input.before, input.after].find((p) => p.exitCode !== 0);
  // Two identical failures (the same traceback twice) would compare equal: judge nothing.
  if (broken) return { passed: false, detail: `idempotence probe failed (exit ${broken.exitCode}): cannot judge the state` };
  if (compareProbeOutputs(input.before.output, input.after.output, 'state').same) return { passed: true, detail: 'state unchanged by this run (probe output identical)' };
  return { passed: false, detail: 'not idempotent: probe output changed (diff in log)' };
}

export function judgeLogScan(input: LogScanInput): Verdict {
  const result = scanLines(input.lines, { patterns: input.patterns, allow: input.allow, structuredLevels: input.structuredLevels });
  const count = result.count + input.droppedMatches;
  const first = result.matches[0];
  const noun = `unallowed error line${count === 1 ? '' : 's'}`;
  return { passed: count === 0, detail: first ? `${count} ${noun} (first: ${first.line.trim().slice(0, 200)})` : `${count} ${noun}` };
}

/** An answer meets the step when its status is expected and its content passes the checks. */
export function judgeHttpAnswer(input: HttpAnswerInput): Verdict {
  const { answer } = input;
  if (!answer) return { passed: false, detail: `no answer (${input.problem ?? 'network error'})` };
  if (!input.statuses.includes(answer.status)) return { passed: false, detail: `HTTP ${answer.status} (expected ${input.statuses.join('|')})` };
  const wrong = checkContent(answer, input.expect);
  return wrong ? { passed: false, detail: wrong } : { passed: true, detail: `HTTP ${answer.status}` };
}

function executionFailure(e: ScenarioExecution): string | null {
  if (e.status !== undefined && e.expected !== undefined) {
    const ok = e.expected === null ? e.status >= 200 && e.status < 300 : e.expected.includes(e.status);
    if (!ok) return `${e.where} ${e.step}: HTTP ${e.status} (expected ${e.expected === null ? '2xx' : e.expected.join(' or ')})`;
  }
  return e.failure === undefined ? null : `${e.where} ${e.step}: ${e.failure}`;
}

/** A scenario passes when every execution met its expectations and every run was made. */
export function judgeScenario(input: ScenarioInput): Verdict {
  const failures = input.executions.map(executionFailure).filter((f): f is string => f !== null);
  const runsDone = new Set(input.executions.filter((e) => e.where.startsWith('run ')).map((e) => e.where)).size;
  const runsFailed = new Set(input.executions.filter((e) => e.where.startsWith('run ') && executionFailure(e) !== null).map((e) => e.where)).size;
  const criteria: Record<string, { passed: boolean; detail: string; notJudged?: true }> = {};
  for (const id of input.tagged) {
    const mine = input.executions.filter((e) => e.criterion === id);
    const bad = mine.map(executionFailure).filter((f): f is string => f !== null);
    // Never reached because an earlier step failed: one defect, one red (the scenario's own ❌).
    // In a scenario that passed, a tagged step that never ran is a hole in the evidence: ❌.
    criteria[id] =
      mine.length === 0 && failures.length > 0
        ? { passed: false, notJudged: true, detail: `not judged: the scenario stopped at ${failures[0]}` }
        : mine.length === 0
        ? { passed: false, detail: 'not run' }
        : bad.length > 0
          ? { passed: false, detail: `${bad.length}/${mine.length} failed; first: ${bad[0]}` }
          : { passed: true, detail: `${mine.length}/${mine.length} passed` };
  }
  const passed = failures.length === 0 && runsDone === input.runs;
  const detail = failures.length > 0 ? `${runsDone - runsFailed}/${input.runs} runs passed; first failure: ${failures[0]}` : `${runsDone}/${input.runs} runs passed`;
  return { passed, detail, criteria };
}

/** The judges by name. A judgement names its judge, so evidence says how it was judged. */
export const builtinJudges = {
  'exit-code': (input: ExitCodeInput) => judgeExitCode(input),
  output: (input: OutputInput) => judgeOutput(input),
  tests: (input: TestReportInput) => judgeTests(input),
  idempotence: (input: IdempotenceInput) => judgeIdempotence(input),
  'log-scan': (input: LogScanInput) => judgeLogScan(input),
  'http-answer': (input: HttpAnswerInput) => judgeHttpAnswer(input),
  boot: (input: BootInput) => judgeBoot(input),
  stability: (input: StabilityInput) => judgeStability(input),
  scenario: (input: ScenarioInput) => judgeScenario(input),
  'image-budget': (input: ImageBudgetInput) => judgeImageBudget(input),
  resources: (input: ResourceBudgetInput) => judgeResources(input),
  restore: (input: RestoreInput) => judgeRestore(input),
  shutdown: (input: ShutdownInput) => judgeShutdown(input),
  upgrade: (input: UpgradeInput) => judgeUpgrade(input),
};

export type JudgeName = keyof typeof builtinJudges;
export type JudgeInput<N extends JudgeName> = Parameters<(typeof builtinJudges)[N]>[0];
/** A set of judges: the built-in one, or (in tests) one with a deliberately weakened judge. */
export type JudgeSet = { [N in JudgeName]: (input: JudgeInput<N>) => Verdict };

/** One judgement a step made: the judge, its input as plain JSON, and the verdict it gave. */
export interface Judgement<N extends JudgeName = JudgeName> {
  judge: N;
  input: JudgeInput<N>;
  passed: boolean;
  detail: string;
  criteria?: Record<string, { passed: boolean; detail: string; notJudged?: true }>;
}

/** Judges input with the built-in judge and records the judgement. */
export function judge<N extends JudgeName>(name: N, input: JudgeInput<N>, judges: JudgeSet = builtinJudges as JudgeSet): Judgement<N> {
  const verdict = (judges[name] as (i: JudgeInput<N>) => Verdict)(input);
  return { judge: name, input, passed: verdict.passed, detail: verdict.detail, ...(verdict.criteria ? { criteria: verdict.criteria } : {}) };
}
