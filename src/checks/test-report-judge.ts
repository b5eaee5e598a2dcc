import type { TestCaseOutcome, TestCaseStatus, TestPolicy, TestReport } from './test-report.js';

/*
 * Zero tolerance over a test report: a skipped test fails the gate (the bash original missed
 * skips because it grepped `\d+ skipped` with ERE), and so does a pass on a rerun or a
 * deselected test unless accepted with a reason.
 */

function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

function listIds(ids: string[], max = 5): string {
  if (ids.length === 0) return '';
  const shown = ids.slice(0, max).join(', ');
  return ` (${shown}${ids.length > max ? `, +${ids.length - max} more` : ''})`;
}

/**
 * Zero tolerance: passes iff at least one test ran and there are 0 failed, 0 errors,
 * 0 skipped; xfailed counts as skipped unless `allowXfail`, xpassed counts as failed.
 */
export function judgeTestReport(report: TestReport, policy: TestPolicy): { passed: boolean; detail: string } {
  const failed = report.failed + report.xpassed;
  const skipped = report.skipped + (policy.allowXfail ? 0 : report.xfailed);
  const failIds = report.failingIds;
  const skipIds = policy.allowXfail ? report.skippedIds.filter((id) => !isXfail(report, id)) : report.skippedIds;
  const failing = (report.cases ?? []).filter((c) => c.status === 'failed' || c.status === 'xpassed').map((c) => c.id);
  const erroring = (report.cases ?? []).filter((c) => c.status === 'error').map((c) => c.id);
  const parts = [
    `${report.passed} passed`,
    `${failed} failed${listIds(report.cases ? failing : failIds)}`,
    `${plural(report.errors, 'error')}${listIds(erroring)}`,
    `${skipped} skipped${listIds(skipIds)}`,
  ];
  if (report.xfailed > 0) parts.push(`${report.xfailed} xfailed${policy.allowXfail ? ' (allowed)' : ''}`);
  if (report.xpassed > 0) parts.push(`${report.xpassed} xpassed`);
  const retried = report.retried ?? 0;
  const deselected = report.deselected ?? 0;
  // A pass on a rerun and a test never run are not clean passes: each is named, and fails unless accepted with a reason.
  if (retried > 0) parts.push(`${retried} retried${listIds(report.retriedIds ?? [])}${policy.allowRetries ? ` (accepted: ${policy.allowRetries})` : ''}`);
  if (deselected > 0) parts.push(`${deselected} deselected${policy.allowDeselected ? ` (accepted: ${policy.allowDeselected})` : ''}`);
  if (report.warnings !== undefined) parts.push(plural(report.warnings, 'warning'));
  let passed = report.total > 0 && failed === 0 && report.errors === 0 && skipped === 0;
  if (retried > 0 && !policy.allowRetries) passed = false;
  if (deselected > 0 && !policy.allowDeselected) passed = false;
  if (policy.failOnWarnings && (report.warnings ?? 0) > 0) passed = false;
  let detail = parts.join(', ');
  if (report.total === 0) detail = `no tests ran (${detail})`;
  return { passed, detail };
}

function isXfail(report: TestReport, id: string): boolean {
  return (report.cases ?? []).some((c) => c.id === id && c.status === 'xfailed');
}

const STATUS_LABEL: Record<TestCaseStatus, string> = { failed: 'FAILED', error: 'ERROR', xpassed: 'XPASS', skipped: 'SKIPPED', xfailed: 'XFAIL', retried: 'RERUN' };
const STATUS_ORDER: TestCaseStatus[] = ['failed', 'error', 'xpassed', 'retried', 'skipped', 'xfailed'];

/**
 * Content of `<log>_failing_tests.txt`: one `STATUS id[ - message]` line per test that
 * failed the criterion, failures first. xfailed tests are left out when the policy allows them.
 */
export function formatFailingTests(report: TestReport, policy: TestPolicy = { allowXfail: false }): string {
  const cases: TestCaseOutcome[] = report.cases
    ? [...report.cases]
    : [
        ...report.failingIds.map((id) => ({ id, status: 'failed' as const })),
        ...report.skippedIds.map((id) => ({ id, status: 'skipped' as const })),
        ...(report.retriedIds ?? []).map((id) => ({ id, status: 'retried' as const })),
      ];
  const wanted = cases
    .filter((c) => !(policy.allowXfail && c.status === 'xfailed') && !(policy.allowRetries && c.status === 'retried'))
    .sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status));
  const lines = wanted.map((c) => `${STATUS_LABEL[c.status]} ${c.id}${c.message ? ` - ${c.message}` : ''}`);
  const uncounted = report.failed + report.errors + report.xpassed - wanted.filter((c) => c.status === 'failed' || c.status === 'error' || c.status === 'xpassed').length;
  // The summary counted failures the output did not name (e.g. pytest -q without -rfE).
  if (uncounted > 0) lines.push(`(${uncounted} more failing test${uncounted === 1 ? '' : 's'} not named in the output)`);
  const deselected = report.deselected ?? 0;
  if (deselected > 0 && !policy.allowDeselected) lines.push(`DESELECTED ${deselected} test${deselected === 1 ? '' : 's'} (not run; the runner does not name them: see its -m/-k/addopts)`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}
