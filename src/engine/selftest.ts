import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinJudges, type JudgeSet, type Judgement, type Verdict } from '../checks/judges.js';
import type { Redactor } from '../common/redactor.js';
import type { GateConfig } from '../config/schema.js';
import type { RunResult, StepResult } from '../model/run-result.js';
import { evaluateCriteria, type ExtraVerdicts } from './criteria.js';
import type { StepEvidence } from './evidence-file.js';
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
}

export interface SelftestCriterion {
  id: string;
  title: string;
  caught: boolean;
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
}

export interface SelftestOptions {
  config: GateConfig;
  result: RunResult;
  evidence: StepEvidence[];
  /** The judges to re-judge with: the built-in ones (a test injects a weakened one). */
  judges?: JudgeSet;
  /** The run was a partial selection (--only/--skip/--from). */
  partialSelection?: boolean;
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
  const judge = (criterion: string, log: string, label: string, criteria: ReturnType<typeof evaluate>, allowed: string[]) => {
    const target = criteria.find((c) => c.id === criterion);
    const others = criteria.filter((c) => c.id !== criterion && !c.passed && !c.notSelected && !allowed.includes(c.id));
    const title = titles[criterion] ?? criterion;
    if (!target || target.passed) rows.push({ criterion, title, log, mutation: label, caught: false, detail: `stayed ✅ (${target?.detail ?? 'no verdict'})` });
    else if (others.length > 0) rows.push({ criterion, title, log, mutation: label, caught: false, detail: `not isolated: ${others.map((c) => c.title).join(', ')} failed too` });
    else rows.push({ criterion, title, log, mutation: label, caught: true, detail: target.detail });
  };
  const vacuous = new Map<string, string>();

  for (const step of result.steps) {
    const own = step.criterion;
    const ev = byId.get(step.id);
    if (!ev || ev.judgements.length === 0) {
      // No judged evidence (build, up): the criterion is proven wired, by the step failing.
      if (own && titles[own] !== undefined && step.status === 'passed') judge(own, step.log, 'the step fails (exit code 1)', evaluate(step.id, -1, undefined, 'exit code 1 (injected by selftest)'), []);
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
        judge(criterion, step.log, m.label, evaluate(step.id, index, m.input), m.alsoFails ?? []);
      }
    });
  }

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
      const missed = mine.find((r) => !r.caught);
      if (missed) why = `${missed.mutation} (${missed.log}): ${missed.detail}`;
    }
    return { id, title, caught: why === undefined, ...(why === undefined ? {} : { why }) };
  });
  const stepFailures = result.steps.filter(failedStatus);
  return {
    passed: result.verdict === 'passed' && stepFailures.length === 0 && replayMismatches.length === 0 && criteria.every((c) => c.caught),
    logDir: result.logDir,
    gateVerdict: result.verdict,
    rows,
    criteria,
    replayMismatches,
  };
}

/** The table as text: one line per injected defect, then the verdict; no ✅/❌ (the seed greps those in the summary). */
export function formatSelftest(report: SelftestReport): string {
  const width = Math.max(8, ...report.rows.map((r) => r.title.length));
  const lines = ['SELFTEST: each criterion must turn red when the thing it guards is broken', ''];
  lines.push(`${'criterion'.padEnd(width)}  result  mutation (step) → verdict`);
  for (const row of report.rows) {
    lines.push(`${row.title.padEnd(width)}  ${row.caught ? 'caught' : 'MISSED'}  ${row.mutation} (${row.log}) → ${row.detail}`);
  }
  lines.push('');
  for (const mismatch of report.replayMismatches) lines.push(`REPLAY MISMATCH ${mismatch}`);
  const caught = report.criteria.filter((c) => c.caught).length;
  if (report.passed) lines.push(`SELFTEST PASSED: ${caught}/${report.criteria.length} criteria caught every injected defect`);
  else {
    if (report.gateVerdict !== 'passed') lines.push(`the gate itself did not pass (${report.gateVerdict}): selftest needs a healthy run to break`);
    lines.push(`SELFTEST FAILED: ${caught}/${report.criteria.length} criteria caught; vacuous:`);
    for (const c of report.criteria.filter((x) => !x.caught)) lines.push(`  ${c.title}: ${c.why}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes selftest.json and selftest.log beside the run's evidence. */
export function writeSelftest(logDir: string, report: SelftestReport, redactor: Redactor): void {
  writeFileSync(join(logDir, 'selftest.json'), redactor.redact(JSON.stringify(report, null, 2)) + '\n');
  writeFileSync(join(logDir, 'selftest.log'), redactor.redact(formatSelftest(report)));
}
