import type { GateConfig } from './schema.js';
import type { CriterionResult, StepResult } from '../model/run-result.js';
import { unreachedDetail, type StopPoint } from './not-judged.js';

export type ExtraVerdicts = Map<string, { passed: boolean; detail: string; log: string; notJudged?: true }[]>;

/**
 * One verdict per declared criterion, in declaration order: passed iff every step giving
 * evidence for it ran and passed (zero tolerance: a step not run is never a pass). A failed step that
 * names no criterion gets a line of its own, so no failure is ever silent in the summary.
 * With a partial selection (--only/--skip/--from), criteria with no selected step say "not selected"
 * (neither ✅ nor ❌), and one with some of its steps selected says which. A criterion whose
 * steps are all "not applicable" to the target (an external one's build) is "n/a": not counted.
 * One the gate stopped before it could finish judging, with nothing wrong seen, is "not judged"
 * (neither ✅ nor ❌, not counted): one defect, one red. That holds for a window cut short and for
 * a criterion whose steps were never reached (`stop`: where and when the gate stopped: a failed
 * step, an interrupt, the deadline). Without a stop, a step not run stays ❌.
 */
export function evaluateCriteria(
  config: GateConfig,
  steps: StepResult[],
  extra: ExtraVerdicts,
  stop: StopPoint | undefined,
  partialSelection: boolean,
): CriterionResult[] {
  const out: CriterionResult[] = [];
  for (const [id, title] of Object.entries(config.criteria)) {
    const evidence = steps.filter((s) => s.criterion === id);
    const fromOthers = extra.get(id) ?? [];
    const selected = evidence.filter((s) => s.detail !== 'not selected');
    const logs = [...new Set([...evidence.map((s) => s.log), ...fromOthers.map((v) => v.log)])];
    if (partialSelection && selected.length === 0 && fromOthers.length === 0) {
      out.push({ id, title, passed: false, notSelected: true, detail: 'not selected', logs });
      continue;
    }
    // A partial selection says which of the criterion's steps it judged.
    const partOf =
      partialSelection && selected.length < evidence.length ? ` (partial: ${selected.length} of ${evidence.length} steps selected: ${selected.map((s) => s.log).join(', ')})` : '';
    const applicable = selected.filter((s) => s.status !== 'not-applicable');
    if (selected.length > 0 && applicable.length === 0 && fromOthers.length === 0) {
      // Nothing this target allows gives evidence for it: "n/a", neither ✅ nor ❌, not counted.
      const reasons = [...new Set(selected.map((s) => s.detail.replace(/^not applicable: /, '')))];
      out.push({ id, title, passed: false, notApplicable: true, detail: `n/a: ${reasons.join('; ')}`, logs });
      continue;
    }
    if (selected.length === 0 && fromOthers.length === 0) {
      if (stop) out.push({ id, title, passed: false, notJudged: true, detail: unreachedDetail(stop), logs });
      else out.push({ id, title, passed: false, detail: 'no step gives evidence for this criterion', logs });
      continue;
    }
    const failed = selected.find((s) => s.status === 'failed' || s.status === 'interrupted' || s.status === 'timedout');
    const failedExtra = fromOthers.find((v) => !v.passed && !v.notJudged);
    const notJudgedExtra = fromOthers.find((v) => v.notJudged);
    const notRun = selected.find((s) => s.status === 'not-run');
    const notJudged = selected.find((s) => s.notJudged);
    if (failed) out.push({ id, title, passed: false, detail: `${failed.detail} (${failed.log})${partOf}`, logs });
    else if (failedExtra) out.push({ id, title, passed: false, detail: `${failedExtra.detail} (${failedExtra.log})${partOf}`, logs });
    else if (notJudged) out.push({ id, title, passed: false, notJudged: true, detail: `${notJudged.detail}${partOf}`, logs });
    else if (notJudgedExtra) out.push({ id, title, passed: false, notJudged: true, detail: `${notJudgedExtra.detail} (${notJudgedExtra.log})${partOf}`, logs });
    else if (notRun && stop) out.push({ id, title, passed: false, notJudged: true, detail: `${unreachedDetail(stop)}${partOf}`, logs });
    else if (notRun) out.push({ id, title, passed: false, detail: `not run${partOf}`, logs });
    else {
      const details = [...applicable.map((s) => s.detail), ...fromOthers.map((v) => v.detail)].filter(Boolean);
      out.push({ id, title, passed: true, detail: [...new Set(details)].join('; ') + partOf, logs });
    }
  }
  const declared = new Set(Object.keys(config.criteria));
  for (const step of steps) {
    if (step.status !== 'failed' && step.status !== 'interrupted' && step.status !== 'timedout') continue;
    if (step.criterion && declared.has(step.criterion)) continue;
    out.push({ id: `step:${step.id}`, title: `Step ${step.log}`, passed: false, detail: step.detail, logs: [step.log] });
  }
  return out;
}
