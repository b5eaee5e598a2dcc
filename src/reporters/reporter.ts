import type { CriterionResult, RunResult } from '../model/run-result.js';
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

export function verdictLabel(result: RunResult): string {
  return result.verdict === 'passed' ? 'PASSED' : result.verdict === 'failed' ? 'FAILED' : 'INTERRUPTED';
}

/** `Stopped at: …` or `Interrupted at: …`, when the run did not go to the end. */
export function stoppedLine(result: RunResult): string | undefined {
  if (result.stoppedAt === undefined) return undefined;
  return `${result.verdict === 'interrupted' ? 'Interrupted at' : 'Stopped at'}: ${oneLine(result.stoppedAt)}`;
}
