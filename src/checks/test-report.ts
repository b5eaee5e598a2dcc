/**
 * A test report: what a step's tests did, read from a machine report (JUnit XML,
 * junit-xml-parser.ts) or, failing that, from the runner's own summary text (pytest, node's
 * test runner, a plain `N passed, N failed` line: test-summary-parser.ts). Zero tolerance
 * lives in test-report-judge.ts.
 */

/** Outcome of one test case that did not simply pass; `retried`: it passed only on a rerun. */
export type TestCaseStatus = 'failed' | 'error' | 'skipped' | 'xfailed' | 'xpassed' | 'retried';

export interface TestCaseOutcome {
  id: string;
  status: TestCaseStatus;
  /** First line of the failure/skip message, when the report has one. */
  message?: string;
}

export interface TestReport {
  total: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  xfailed: number;
  xpassed: number;
  /** Ids of failed, errored and xpassed tests (`classname::name`, pytest node id, node test name). */
  failingIds: string[];
  /** Ids of skipped (and todo) tests, plus xfailed ones. */
  skippedIds: string[];
  /**
   * Tests that passed only on a rerun (also counted in `passed`): JUnit `<flakyFailure>`,
   * `<flakyError>`, `<rerunFailure>`, `<rerunError>`; pytest's `N rerun` (reruns, not tests).
   */
  retried?: number;
  /** Ids of the tests that passed only on a rerun. */
  retriedIds?: string[];
  /** Tests collected and then not run (pytest's `N deselected`: a `-m`/`-k` in addopts, say). */
  deselected?: number;
  source: 'junit' | 'pytest' | 'node' | 'plain';
  /**
   * Where the counts come from when a JUnit report and a summary line were both read
   * (`combineTestReports`): always the summary line, the runner's own count.
   */
  countsFrom?: 'summary';
  /** Warnings count, when the summary states one (pytest `1 warning`). */
  warnings?: number;
  /** Every non-passing case known by id, with its status and message. */
  cases?: TestCaseOutcome[];
}

export interface TestPolicy {
  /** Accept expected failures (pytest xfail); when false they count as skipped. */
  allowXfail: boolean;
  /** Fail when the summary reports warnings (the seed's "0 warnings" that never failed). */
  failOnWarnings?: boolean;
  /** Why tests that passed only on a rerun are accepted; absent: they fail the verdict. */
  allowRetries?: string | undefined;
  /** Why deselected tests are accepted; absent: they fail the verdict. */
  allowDeselected?: string | undefined;
}

export function emptyReport(source: TestReport['source']): TestReport {
  return { total: 0, passed: 0, failed: 0, errors: 0, skipped: 0, xfailed: 0, xpassed: 0, failingIds: [], skippedIds: [], retried: 0, retriedIds: [], deselected: 0, source, cases: [] };
}

/** Counts one test case in the report. */
export function record(report: TestReport, id: string, status: TestCaseStatus | 'passed', message?: string): void {
  report.total++;
  if (status === 'passed') {
    report.passed++;
    return;
  }
  if (status === 'retried') {
    // It did pass in the end: counted as passed, and as retried, which the verdict judges.
    report.passed++;
    report.retried = (report.retried ?? 0) + 1;
    (report.retriedIds ??= []).push(id);
    report.cases?.push(message === undefined ? { id, status } : { id, status, message });
    return;
  }
  if (status === 'failed') report.failed++;
  else if (status === 'error') report.errors++;
  else if (status === 'skipped') report.skipped++;
  else if (status === 'xfailed') report.xfailed++;
  else report.xpassed++;
  if (status === 'skipped' || status === 'xfailed') report.skippedIds.push(id);
  else report.failingIds.push(id);
  report.cases?.push(message === undefined ? { id, status } : { id, status, message });
}

/**
 * One report from a step's JUnit file and its output's summary line, so the gate's
 * `TESTS:` line and verdict agree with what the runner printed: the COUNTS come from the
 * summary line (the runner's own count; the only one that tells pytest's XPASS from a
 * pass), the NAMES and messages from the JUnit report, plus the summary's xpassed ids that
 * JUnit cannot express. Either one alone is returned as is; neither gives null.
 */
export function combineTestReports(junit: TestReport | null, summary: TestReport | null): TestReport | null {
  if (!junit || !summary) return junit ?? summary;
  const cases = [...(junit.cases ?? []), ...(summary.cases ?? []).filter((c) => c.status === 'xpassed')];
  // Retries: the JUnit file names them, the summary counts reruns; either one seeing some is enough.
  const retriedIds = [...new Set([...(junit.retriedIds ?? []), ...(summary.retriedIds ?? [])])];
  const counts = { total: summary.total, passed: summary.passed, failed: summary.failed, errors: summary.errors, skipped: summary.skipped, xfailed: summary.xfailed, xpassed: summary.xpassed };
  const xpassIds = (summary.cases ?? []).filter((c) => c.status === 'xpassed').map((c) => c.id);
  const report: TestReport = {
    ...counts,
    failingIds: [...junit.failingIds, ...xpassIds],
    skippedIds: [...junit.skippedIds],
    source: 'junit',
    countsFrom: 'summary',
    retried: Math.max(junit.retried ?? 0, summary.retried ?? 0, retriedIds.length),
    retriedIds,
    deselected: Math.max(junit.deselected ?? 0, summary.deselected ?? 0),
    cases,
  };
  if (summary.warnings !== undefined) report.warnings = summary.warnings;
  return report;
}
