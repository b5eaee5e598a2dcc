import { builtinJudges, type TestReportInput } from '../../checks/judges.js';
import { clone, type Criterion } from '../evidence-mutations.js';

/** Tests: a skipped testcase, then a failed one, added to the parsed report. */
export const testsCriterion: Criterion<'tests'> = {
  judge: builtinJudges.tests,
  mutations: (input: TestReportInput) => {
    const skipped = clone(input);
    skipped.report.total++;
    skipped.report.skipped++;
    skipped.report.skippedIds.push('release_gate_selftest::injected_skip');
    skipped.report.cases = [...(skipped.report.cases ?? []), { id: 'release_gate_selftest::injected_skip', status: 'skipped', message: 'injected by selftest' }];
    const failed = clone(input);
    failed.report.total++;
    failed.report.failed++;
    failed.report.failingIds.push('release_gate_selftest::injected_failure');
    failed.report.cases = [...(failed.report.cases ?? []), { id: 'release_gate_selftest::injected_failure', status: 'failed', message: 'injected by selftest' }];
    return {
      mutations: [
        { label: 'a skipped testcase added to the report', input: skipped },
        { label: 'a failed testcase added to the report', input: failed },
      ],
    };
  },
};
