import { growthPct } from '../common/byte-size.js';
import { formatBytes } from '../common/safe-file.js';
import type { CriterionResult, RunResult, StepStatus } from '../model/run-result.js';
import { formatDuration } from '../common/duration.js';
import { oneLine } from '../common/text.js';

export { oneLine };

/** Turns a run result into the content of one artifact. Pure: the engine writes the file. */
export interface Reporter {
  readonly name: string;
  /** Default file name in the log dir. */
  readonly fileName: string;
  render(result: RunResult): string;
}


/** Time spent on a criterion: the sum of the durations of the steps that feed it. */
export function criterionDurationMs(result: RunResult, criterion: CriterionResult): number {
  return result.steps.filter((s) => s.criterion === criterion.id).reduce((sum, s) => sum + (s.durationMs ?? 0), 0);
}

/** `PASSED`, `FAILED — PARTIAL (--only B)`: a partial gate never reads as a plain pass. */
export function verdictLabel(result: RunResult): string {
  const word = { passed: 'PASSED', failed: 'FAILED', timedout: 'TIMED OUT', interrupted: 'INTERRUPTED' }[result.verdict];
  return result.complete === false ? `${word} — PARTIAL (${oneLine(result.deviations.join('; '))})` : word;
}

/** The criteria a run judged (a partial run's unselected ones, those not applicable to the target and those not judged are left out of counts). */
export function judgedCriteria(result: RunResult): CriterionResult[] {
  return result.criteria.filter((c) => !c.notSelected && !c.notApplicable && !c.notJudged);
}

/** `✅`, `❌`, `–` for a criterion a partial run did not select or the gate could not finish judging, `n/a` for one the target does not allow. */
export function criterionMark(c: CriterionResult): string {
  return c.notApplicable ? 'n/a' : c.notSelected || c.notJudged ? '–' : c.passed ? '✅' : '❌';
}

/** A step status as reporters print it: `n/a` for a step not applicable to the target. */
export function statusLabel(status: StepStatus): string {
  return status === 'not-applicable' ? 'n/a' : status;
}

/** `external target: external "staging" (…)` when the run gated a deployment it did not start. */
export function targetLine(result: RunResult): string | undefined {
  if (!result.target?.external) return undefined;
  return `Target: an external deployment (${oneLine(result.target.description)}), not started or stopped by the gate; lifecycle steps n/a`;
}

/** `7/8 criteria passed`, over the judged criteria only. */
export function criteriaCount(result: RunResult): string {
  const judged = judgedCriteria(result);
  return `${judged.filter((c) => c.passed).length}/${judged.length} criteria passed`;
}

/** `Stopped at: …` or `Interrupted at: …`, when the run did not go to the end. */
export function stoppedLine(result: RunResult): string | undefined {
  if (result.stoppedAt === undefined) return undefined;
  return `${result.verdict === 'interrupted' ? 'Interrupted at' : 'Stopped at'}: ${oneLine(result.stoppedAt)}`;
}

/** Header and rows of the E2E latency table (log, step, n, p50, p95, max, failures, budget), one row per scenario step. */
export const LATENCY_HEADER = ['Log', 'Step', 'n', 'p50', 'p95', 'max', 'Failures', 'Budget'];

export function latencyRows(result: RunResult): string[][] {
  return result.steps.flatMap((s) =>
    (s.latency?.steps ?? []).map((l) => [
      s.log,
      l.step,
      String(l.samples),
      formatDuration(l.p50Ms),
      formatDuration(l.p95Ms),
      formatDuration(l.maxMs),
      String(l.failures),
      l.exceeded ? `over: ${l.exceeded.join(', ')}` : l.limits ? 'within' : '',
    ]),
  );
}

/** Header and rows of the image table (image, services, size, layers, baseline, growth), one row per image measured. */
export const IMAGES_HEADER = ['Image', 'Services', 'Size', 'Layers', 'Baseline', 'Growth'];

export function imageRows(result: RunResult): string[][] {
  return result.steps.flatMap((s) =>
    (s.images ?? []).map((i) => {
      const base = i.baselineSize;
      const growth = growthPct(i.size, base);
      return [
        i.image,
        i.services.join(', '),
        formatBytes(i.size),
        String(i.layers),
        base === undefined ? '' : base === null ? 'new' : formatBytes(base),
        growth === null ? '' : `${growth >= 0 ? '+' : ''}${growth}%`,
      ];
    }),
  );
}
