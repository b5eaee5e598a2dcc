import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { htmlReporter } from '../reporters/html-reporter.js';
import { builtinJudges, type JudgeSet, type Judgement, type Verdict } from '../checks/judges.js';
import type { Redactor } from '../common/redactor.js';
import type { GateConfig } from '../config/schema.js';
import type { RunResult, SelftestSection, StepResult } from '../model/run-result.js';
import { evaluateCriteria, type ExtraVerdicts } from '../config/criteria.js';
import type { StepEvidence } from '../evidence/evidence-file.js';
import { judgeLive, type LiveInput, type LiveSummary } from './selftest-live.js';
import { mutationsOf } from './criteria/criterion-registry.js';
import type { SelftestRow } from './selftest-row.js';

export type { SelftestRow };

export type { LiveInput, LiveSummary } from './selftest-live.js';


export interface SelftestCriterion {
  id: string;
  title: string;
  caught: boolean;
  /** Caught, but every defect only flipped an exit code: the step's output is not judged. */
  exitCodeOnly?: true;
  /** Why it is vacuous, when not caught. */
  why?: string;
  /** Not caught because a defect could not be injected (a `not run` row), not because one was missed. */
  notProven?: true;
}

export interface SelftestReport {
  passed: boolean;
  /** Why nothing was injected: the healthy run did not pass (then no row, no criterion). */
  stopped?: string;
  /** The healthy run's log dir and verdict. */
  logDir: string;
  gateVerdict: RunResult['verdict'];
  rows: SelftestRow[];
  criteria: SelftestCriterion[];
  /** Recorded verdicts the judges do not reproduce: evidence that does not say what was judged. */
  replayMismatches: string[];
  /** The live run (kill during the watch, requests without credentials), when one was made. */
  live?: LiveSummary;
}

export interface SelftestOptions {
  config: GateConfig;
  result: RunResult;
  evidence: StepEvidence[];
  /** The judges to re-judge with: the built-in ones (a test injects a weakened one). */
  judges?: JudgeSet;
  /** The run was a partial selection (--only/--skip/--from). */
  partialSelection?: boolean;
  /** The live run, when one was made. */
  live?: LiveInput;
}

const failedStatus = (s: StepResult) => s.status === 'failed' || s.status === 'interrupted' || s.status === 'timedout';

/**
 * Re-judges a healthy run's evidence with one injected defect at a time. A criterion is caught
 * when every defect injected into its evidence turns it ❌, and nothing else but what the defect
 * really breaks (declared per mutation) turns ❌ with it. A criterion no defect can reach is
 * vacuous: a false green waiting to happen.
 */
export function judgeSelftest(opts: SelftestOptions): SelftestReport {
  const judges = opts.judges ?? (builtinJudges as JudgeSet);
  const { config, result } = opts;
  // A run that did not pass has nothing to break: every row would only repeat its failure.
  if (result.verdict !== 'passed') return { passed: false, stopped: healthyFailure(result), logDir: result.logDir, gateVerdict: result.verdict, rows: [], criteria: [], replayMismatches: [] };
  const partial = Boolean(opts.partialSelection);
  const rejudge = (j: Judgement, input: unknown): Verdict => (judges[j.judge] as (i: unknown) => Verdict)(input);
  const byId = new Map(opts.evidence.map((e) => [e.id, e]));

  const replayMismatches: string[] = [];
  for (const step of opts.evidence) {
    for (const j of step.judgements) {
      const again = rejudge(j, j.input);
      if (again.passed !== j.passed) replayMismatches.push(`${step.log}: ${j.judge} judged ${j.passed ? 'passed' : 'failed'}, re-judged ${again.passed ? 'passed' : 'failed'} (${again.detail})`);
    }
  }

  /** Criteria as the runner would give them with one judgement's input replaced. */
  const evaluate = (stepId: string | null, index: number, input: unknown, forceFail?: string) => {
    const extra: ExtraVerdicts = new Map();
    const steps = result.steps.map((s) => {
      const ev = byId.get(s.id);
      const verdicts = (ev?.judgements ?? []).map((j, i) => (s.id === stepId && i === index ? rejudge(j, input) : { passed: j.passed, detail: j.detail, ...(j.criteria ? { criteria: j.criteria } : {}) }));
      for (const v of verdicts) {
        for (const [criterion, verdict] of Object.entries(v.criteria ?? {})) {
          const list = extra.get(criterion) ?? [];
          list.push({ ...verdict, log: s.log });
          extra.set(criterion, list);
        }
      }
      if (s.id !== stepId) return s;
      if (forceFail) return { ...s, status: 'failed' as const, detail: forceFail };
      const failed = verdicts.find((v) => !v.passed);
      return failed ? { ...s, status: 'failed' as const, detail: failed.detail } : s;
    });
    return evaluateCriteria(config, steps, extra, undefined, partial);
  };

  const baseline = evaluate(null, -1, undefined);
  const rows: SelftestRow[] = [];
  const titles = config.criteria;
  const judge = (criterion: string, log: string, label: string, criteria: ReturnType<typeof evaluate>, allowed: string[], exitCodeOnly = false) => {
    const target = criteria.find((c) => c.id === criterion);
    const others = criteria.filter((c) => c.id !== criterion && !c.passed && !c.notSelected && !allowed.includes(c.id));
    const title = titles[criterion] ?? criterion;
    const flag = exitCodeOnly ? { exitCodeOnly: true as const } : {};
    if (!target || target.passed) rows.push({ criterion, title, log, mutation: label, caught: false, detail: `stayed ✅ (${target?.detail ?? 'no verdict'})`, ...flag });
    else if (others.length > 0) rows.push({ criterion, title, log, mutation: label, caught: false, detail: `not isolated: ${others.map((c) => c.title).join(', ')} failed too`, ...flag });
    else rows.push({ criterion, title, log, mutation: label, caught: true, detail: target.detail, ...flag });
  };
  const vacuous = new Map<string, string>();

  for (const step of result.steps) {
    const own = step.criterion;
    const ev = byId.get(step.id);
    if (!ev || ev.judgements.length === 0) {
      // No judged evidence (build, up): the criterion is proven wired, by the step failing.
      if (own && titles[own] !== undefined && step.status === 'passed') judge(own, step.log, 'the step fails (exit code 1)', evaluate(step.id, -1, undefined, 'exit code 1 (injected by selftest)'), [], true);
      continue;
    }
    ev.judgements.forEach((j, index) => {
      const plan = mutationsOf(j, own);
      if ('none' in plan) {
        if (own) vacuous.set(own, `${step.log} (${j.judge}): ${plan.none}`);
        return;
      }
      for (const m of plan.mutations) {
        const criterion = m.target ?? own;
        if (!criterion || titles[criterion] === undefined) continue;
        judge(criterion, step.log, m.label, evaluate(step.id, index, m.input), m.alsoFails ?? [], j.judge === 'exit-code');
      }
    });
  }

  const live = opts.live ? judgeLive(opts.live, config, result, opts.evidence, titles) : undefined;
  if (live) rows.push(...live.rows);

  const criteria: SelftestCriterion[] = Object.entries(titles).map(([id, title]) => {
    const mine = rows.filter((r) => r.criterion === id);
    const base = baseline.find((c) => c.id === id);
    const recorded = result.criteria.find((c) => c.id === id);
    let why: string | undefined;
    let notProven = false;
    if (recorded?.notSelected) why = 'not selected in this run: nothing to prove';
    else if (!recorded?.passed) why = `it did not pass in the healthy run (${recorded?.detail ?? 'no verdict'}): fix the gate first`;
    else if (!base?.passed) why = `its recorded evidence does not replay as passed (${base?.detail ?? 'no verdict'})`;
    else if (vacuous.has(id)) why = vacuous.get(id);
    else if (mine.length === 0) why = 'no step records evidence for it: no defect can be injected';
    else {
      const missed = mine.find((r) => !r.caught && !r.notApplicable && !r.notRun) ?? mine.find((r) => r.notRun);
      if (missed) why = `${missed.mutation} (${missed.log}): ${missed.detail}`;
      if (missed?.notRun) notProven = true;
    }
    const exitCodeOnly = why === undefined && mine.filter((r) => !r.notApplicable).every((r) => r.exitCodeOnly);
    return { id, title, caught: why === undefined, ...(exitCodeOnly ? { exitCodeOnly: true as const } : {}), ...(why === undefined ? {} : { why }), ...(notProven ? { notProven: true as const } : {}) };
  });
  const stepFailures = result.steps.filter(failedStatus);
  // A request without credentials that got in guards no criterion of the config: still a hole.
  const strays = rows.filter((r) => titles[r.criterion] === undefined && !r.caught && !r.notApplicable);
  return {
    passed:
      result.verdict === 'passed' &&
      stepFailures.length === 0 &&
      replayMismatches.length === 0 &&
      criteria.every((c) => c.caught) &&
      strays.length === 0 &&
      (live?.summary.leftovers.length ?? 0) === 0,
    logDir: result.logDir,
    gateVerdict: result.verdict,
    rows,
    criteria,
    replayMismatches,
    ...(live ? { live: live.summary } : {}),
  };
}

/** The table as text: one line per injected defect, then the verdict; no ✅/❌ (the seed greps those in the summary). */
export function formatSelftest(report: SelftestReport): string {
  // First line: whether the healthy run passed; when it did not, the reason, and nothing else to read.
  if (report.stopped !== undefined) {
    return [
      `SELFTEST STOPPED: the healthy run did not pass (${report.gateVerdict}): ${report.stopped}`,
      'the gate itself did not pass, so no defect was injected: fix the gate first (`release-gate run` must pass), then run selftest again',
      '',
    ].join('\n');
  }
  const width = Math.max(8, ...report.rows.map((r) => r.title.length));
  const lines = [`SELFTEST: the healthy run passed (${report.logDir}); each criterion must now turn red when the thing it guards is broken`, ''];
  lines.push(`${'criterion'.padEnd(width)}  result  mutation (step) → verdict`);
  for (const row of report.rows) {
    lines.push(`${row.title.padEnd(width)}  ${selftestResult(row).padEnd(6)}  ${row.mutation} (${row.log}) → ${row.detail}`);
  }
  lines.push('');
  if (report.live) {
    lines.push(`live run (one extra run, same stack): ${report.live.logDir} — ${report.live.kill}`);
    if (report.live.stopped) lines.push(`live run: ${report.live.stopped}: its mutations from there on are not run`);
    lines.push(report.live.leftovers.length === 0 ? 'live run: nothing left running after its teardown' : `LEFT RUNNING after the live run: ${report.live.leftovers.join(', ')}`);
    lines.push('');
  }
  for (const c of report.criteria.filter((x) => x.exitCodeOnly)) lines.push(`note: ${c.title} is caught by a flipped exit code only (no output, report or answer of it is judged)`);
  for (const mismatch of report.replayMismatches) lines.push(`REPLAY MISMATCH ${mismatch}`);
  const caught = report.criteria.filter((c) => c.caught).length;
  if (report.passed) lines.push(`SELFTEST PASSED: ${caught}/${report.criteria.length} criteria caught every injected defect`);
  else {
    const vacuous = report.criteria.filter((x) => !x.caught && !x.notProven);
    const unproven = report.criteria.filter((x) => !x.caught && x.notProven);
    lines.push(`SELFTEST FAILED: ${caught}/${report.criteria.length} criteria caught${vacuous.length > 0 || unproven.length === 0 ? '; vacuous:' : ''}`);
    for (const c of vacuous) lines.push(`  ${c.title}: ${c.why}`);
    if (unproven.length > 0) lines.push('not proven (a defect could not be injected):');
    for (const c of unproven) lines.push(`  ${c.title}: ${c.why}`);
    for (const r of report.rows.filter((x) => !x.caught && !x.notApplicable && !report.criteria.some((c) => c.id === x.criterion))) lines.push(`  ${r.title}: ${r.mutation} (${r.log}): ${r.detail}`);
    if (report.live && report.live.leftovers.length > 0) lines.push(`  live run: left running: ${report.live.leftovers.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A row's result word: `caught`, `MISSED`, `n/a` when the mutation cannot be done on this driver, `not run` when it was not done. */
export function selftestResult(row: Pick<SelftestRow, 'caught' | 'notApplicable' | 'notRun'>): 'caught' | 'MISSED' | 'n/a' | 'not run' {
  return row.notApplicable ? 'n/a' : row.notRun !== undefined ? 'not run' : row.caught ? 'caught' : 'MISSED';
}

/** Why the healthy run did not pass, in one line: where it stopped and the failed step's detail. */
function healthyFailure(result: RunResult): string {
  const step = result.steps.find(failedStatus);
  if (step) return `${step.log}: ${step.detail}`;
  const criterion = result.criteria.find((c) => !c.passed && !c.notSelected && !c.notApplicable);
  if (criterion) return `${criterion.title}: ${criterion.detail}`;
  return result.stoppedAt ? `stopped at ${result.stoppedAt}` : `verdict ${result.verdict}`;
}

/** The table as the reporters show it (report.html). */
export function selftestSection(report: SelftestReport): SelftestSection {
  return {
    passed: report.passed,
    ...(report.stopped !== undefined ? { stopped: report.stopped } : {}),
    caught: report.criteria.filter((c) => c.caught).length,
    total: report.criteria.length,
    rows: report.rows.map((r) => ({
      title: r.title,
      mutation: r.mutation,
      log: r.log,
      result: selftestResult(r),
      detail: r.detail,
      ...(r.live ? { live: true } : {}),
      ...(r.exitCodeOnly ? { exitCodeOnly: true } : {}),
    })),
    vacuous: report.criteria.filter((c) => !c.caught).map((c) => ({ title: c.title, why: c.why ?? '' })),
    ...(report.live ? { live: { logDir: relative(report.logDir, report.live.logDir) || report.live.logDir, kill: report.live.kill, leftovers: report.live.leftovers } } : {}),
  };
}

/**
 * Writes selftest.json and selftest.log beside the run's evidence, and report.html again with
 * the table (when the html reporter is on), from the run's final summary.json.
 */
export function writeSelftest(logDir: string, report: SelftestReport, redactor: Redactor, reporters: readonly string[] = []): void {
  writeFileSync(join(logDir, 'selftest.json'), redactor.redact(JSON.stringify(report, null, 2)) + '\n');
  writeFileSync(join(logDir, 'selftest.log'), redactor.redact(formatSelftest(report)));
  if (!reporters.includes(htmlReporter.name) || !existsSync(join(logDir, 'summary.json'))) return;
  const result = JSON.parse(readFileSync(join(logDir, 'summary.json'), 'utf8')) as RunResult;
  const artifacts = [...new Set([...result.artifacts, 'selftest.json', 'selftest.log'])].sort();
  writeFileSync(join(logDir, htmlReporter.fileName), redactor.redact(htmlReporter.render({ ...result, artifacts, selftest: selftestSection(report) })));
}
