import { builtinJudges, type ExitCodeInput } from '../../checks/judges.js';
import type { Criterion } from '../evidence-mutations.js';

/** Exit code: the command exits with another code. Vacuous for a test run judged by its exit code alone. */
export const exitCodeCriterion: Criterion<'exit-code'> = {
  judge: builtinJudges['exit-code'],
  mutations: (input: ExitCodeInput) => {
    if (input.testRun) return { none: `no test report parsed; a skipped test would not be seen (the output holds ${input.testRun}, judged by the exit code only: add results: { junit: … })` };
    const code = input.expected === 1 ? 2 : 1;
    return { mutations: [{ label: `the command exits ${code} (expected ${input.expected})`, input: { ...input, exitCode: code } }] };
  },
};
