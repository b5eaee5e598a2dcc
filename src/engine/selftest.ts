import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { htmlReporter } from '../reporters/html-reporter.js';
import { builtinJudges, type JudgeSet, type Judgement, type Verdict } from '../checks/judges.js';
import type { Redactor } from '../common/redactor.js';
import type { GateConfig } from '../config/schema.js';
import type { RunResult, SelftestSection, StepResult } from '../model/run-result.js';
import { evaluateCriteria, type ExtraVerdicts } from './criteria.js';
import type { StepEvidence } from './evidence-file.js';
import type { LiveOutcome } from './gate-runner.js';
import { mutationsOf, type EvidenceMutation } from './evidence-mutations.js';

/** One injected defect and whether the gate turned red on its criterion. */
export interface SelftestRow {
  criterion: string;
  title: string;
  /** The step whose evidence was mutated. */
  log: string;
  mutation: string;
  caught: boolean;
  /** The criterion's ❌ detail when caught; why not otherwise. */
  detail: string;
  /** The defect only flips a recorded exit code (or the step's outcome): nothing finer is judged. */
  exitCodeOnly?: true;
  /** Done on the live stack in the extra run (a kill, a request without credentials), not on recorded evidence. */
  live?: true;
  /** Why this mutation cannot be done here (the external driver cannot kill a service): neither caught nor missed. */
  notApplicable?: string;
}

export interface SelftestCriterion {
  id: string;
  title: string;
  caught: boolean;
  /** Caught, but every defect only flipped an exit code: the step's output is not judged. */
  exitCodeOnly?: true;
  /** Why it is vacuous, when not caught. */
  why?: string;
}

export interface SelftestReport {
  passed: boolean;
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

/** The extra, labelled run of the live mutations. */
export interface LiveSummary {
  logDir: string;
  gateVerdict: RunResult['verdict'];
  /** What the kill did, in words. */
  kill: string;
  /** Services (containers, process groups) still running after the live run: must be none. */
  leftovers: string[];
  durationMs: number;
}

/** The live run's outcome as selftest judges it. */
export interface LiveInput {
  logDir: string;
  result: RunResult;
  live: LiveOutcome;
  /** What still runs after the live run's teardown. */
  leftovers: string[];
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
      for (const m of plan.mutations as EvidenceMutation[]) {
        const criterion = m.target ?? own;
        if (!criterion || titles[criterion] === undefined) continue;
        judge(criterion, step.log, m.label, evaluate(step.id, index, m.input), m.alsoFails ?? [], j.judge === 'exit-code');
      }
    });
  }

  const live = opts.live ? judgeLive(opts.live, result, opts.evidence, titles) : undefined;
  if (live) rows.push(...live.rows);

  const criteria: SelftestCriterion[] = Object.entries(titles).map(([id, title]) => {
    const mine = rows.filter((r) => r.criterion === id);
    const base = baseline.find((c) => c.id === id);
    const recorded = result.criteria.find((c) => c.id === id);
    let why: string | undefined;
    if (recorded?.notSelected) why = 'not selected in this run: nothing to prove';
    else if (!recorded?.passed) why = `it did not pass in the healthy run (${recorded?.detail ?? 'no verdict'}): fix the gate first`;
    else if (!base?.passed) why = `its recorded evidence does not replay as passed (${base?.detail ?? 'no verdict'})`;
    else if (vacuous.has(id)) why = vacuous.get(id);
    else if (mine.length === 0) why = 'no step records evidence for it: no defect can be injected';
    else {
      const missed = mine.find((r) => !r.caught && !r.notApplicable);
      if (missed) why = `${missed.mutation} (${missed.log}): ${missed.detail}`;
    }
    const exitCodeOnly = why === undefined && mine.filter((r) => !r.notApplicable).every((r) => r.exitCodeOnly);
    return { id, title, caught: why === undefined, ...(exitCodeOnly ? { exitCodeOnly: true as const } : {}), ...(why === undefined ? {} : { why }) };
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

/**
 * The live mutations as rows: the kill must turn the Stability criterion ❌ naming the killed
 * service; each request repeated without its credentials must not get a 2xx.
 */
function judgeLive(input: LiveInput, healthy: RunResult, evidence: StepEvidence[], titles: Record<string, string>): { rows: SelftestRow[]; summary: LiveSummary } {
  const rows: SelftestRow[] = [];
  const { result, live } = input;
  const rel = (log: string) => `selftest-live/${log}`;
  const stabilityIds = new Set(evidence.filter((e) => e.judgements.some((j) => j.judge === 'stability')).map((e) => e.id));
  const stabilityStep = healthy.steps.find((s) => stabilityIds.has(s.id) && s.criterion);
  const criterion = stabilityStep?.criterion;
  let kill: string;
  const k = live.kill;
  if (!k.planned) kill = `no kill: ${k.why}`;
  else if ('notApplicable' in k) {
    kill = `no kill: not applicable (${k.notApplicable})`;
    if (criterion) rows.push({ criterion, title: titles[criterion] ?? criterion, log: rel(stabilityStep?.log ?? ''), mutation: 'live: SIGKILL of a service during the watch', caught: false, detail: 'not applicable', live: true, notApplicable: k.notApplicable });
  } else if ('error' in k) {
    kill = `kill failed: ${k.error}`;
    if (criterion) rows.push({ criterion, title: titles[criterion] ?? criterion, log: rel(stabilityStep?.log ?? ''), mutation: 'live: SIGKILL of a service during the watch', caught: false, detail: `the kill could not be done: ${k.error}`, live: true });
  } else {
    kill = `killed ${k.service} (SIGKILL) at ${k.at.slice(11, 19)} after ${k.afterStep}${k.seen ? '' : '; the watch never reported it'}`;
    if (criterion) {
      const verdict = result.criteria.find((c) => c.id === criterion);
      const step = result.steps.find((s) => s.id === stabilityStep?.id);
      const names = (verdict?.detail ?? '').includes(k.service);
      const caught = verdict !== undefined && !verdict.passed && names;
      const detail = !verdict ? 'no verdict in the live run' : verdict.passed ? `stayed ✅ (${verdict.detail})` : names ? verdict.detail : `❌ but does not name ${k.service} (${verdict.detail})`;
      rows.push({ criterion, title: titles[criterion] ?? criterion, log: rel(step?.log ?? stabilityStep?.log ?? ''), mutation: `live: SIGKILL of ${k.service}'s main process during the watch`, caught, detail, live: true });
    }
  }
  for (const probe of live.probes) {
    const id = probe.criterion ?? '';
    const ok = probe.status !== null && (probe.status < 200 || probe.status >= 300);
    const detail =
      probe.status === null
        ? `no answer (${probe.problem ?? 'network error'}): cannot tell whether it is protected`
        : ok
          ? `HTTP ${probe.status}: refused`
          : `HTTP ${probe.status}: the endpoint is public (it answers without ${probe.without.join(', ')})`;
    rows.push({ criterion: id, title: titles[id] ?? (id || '(no criterion)'), log: rel(probe.log), mutation: `live: ${probe.request} without ${probe.without.join(', ')}`, caught: ok, detail, live: true });
  }
  const started = Date.parse(result.startedAt);
  const ended = Date.parse(result.endedAt);
  return { rows, summary: { logDir: input.logDir, gateVerdict: result.verdict, kill, leftovers: input.leftovers, durationMs: ended - started } };
}

/** The table as text: one line per injected defect, then the verdict; no ✅/❌ (the seed greps those in the summary). */
export function formatSelftest(report: SelftestReport): string {
  const width = Math.max(8, ...report.rows.map((r) => r.title.length));
  const lines = ['SELFTEST: each criterion must turn red when the thing it guards is broken', ''];
  lines.push(`${'criterion'.padEnd(width)}  result  mutation (step) → verdict`);
  for (const row of report.rows) {
    lines.push(`${row.title.padEnd(width)}  ${selftestResult(row).padEnd(6)}  ${row.mutation} (${row.log}) → ${row.detail}`);
  }
  lines.push('');
  if (report.live) {
    lines.push(`live run (one extra run, same stack): ${report.live.logDir} — ${report.live.kill}`);
    lines.push(report.live.leftovers.length === 0 ? 'live run: nothing left running after its teardown' : `LEFT RUNNING after the live run: ${report.live.leftovers.join(', ')}`);
    lines.push('');
  }
  for (const c of report.criteria.filter((x) => x.exitCodeOnly)) lines.push(`note: ${c.title} is caught by a flipped exit code only (no output, report or answer of it is judged)`);
  for (const mismatch of report.replayMismatches) lines.push(`REPLAY MISMATCH ${mismatch}`);
  const caught = report.criteria.filter((c) => c.caught).length;
  if (report.passed) lines.push(`SELFTEST PASSED: ${caught}/${report.criteria.length} criteria caught every injected defect`);
  else {
    if (report.gateVerdict !== 'passed') lines.push(`the gate itself did not pass (${report.gateVerdict}): selftest needs a healthy run to break`);
    lines.push(`SELFTEST FAILED: ${caught}/${report.criteria.length} criteria caught; vacuous:`);
    for (const c of report.criteria.filter((x) => !x.caught)) lines.push(`  ${c.title}: ${c.why}`);
    for (const r of report.rows.filter((x) => !x.caught && !x.notApplicable && !report.criteria.some((c) => c.id === x.criterion))) lines.push(`  ${r.title}: ${r.mutation} (${r.log}): ${r.detail}`);
    if (report.live && report.live.leftovers.length > 0) lines.push(`  live run: left running: ${report.live.leftovers.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A row's result word: `caught`, `MISSED`, or `n/a` when the mutation cannot be done on this driver. */
export function selftestResult(row: Pick<SelftestRow, 'caught' | 'notApplicable'>): 'caught' | 'MISSED' | 'n/a' {
  return row.notApplicable ? 'n/a' : row.caught ? 'caught' : 'MISSED';
}

/** The table as the reporters show it (report.html). */
export function selftestSection(report: SelftestReport): SelftestSection {
  return {
    passed: report.passed,
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
