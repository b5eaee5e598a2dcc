import { stripAnsi } from '../common/text.js';
import { emptyReport, type TestCaseStatus, type TestReport } from './test-report.js';

/*
 * The runner's own summary text, read when there is no JUnit report or beside it (its counts
 * are the runner's own): pytest's `N passed, N failed in 1.2s`, node's test runner's
 * `ℹ tests 7` block, a plain `N passed, N failed` line. Ids come from pytest's verbose and
 * short-summary lines and from node's spec or TAP lines.
 */

const PYTEST_WORDS = 'passed|failed|skipped|deselected|xfailed|xpassed|warnings?|errors?|rerun';
const PYTEST_SUMMARY = new RegExp(`(?:^|[\\s=])((?:\\d+ (?:${PYTEST_WORDS})(?:, )?)+) in \\d+(?:\\.\\d+)?s\\b`);
const PYTEST_NO_TESTS = /(?:^|[\s=])no tests ran in \d+(?:\.\d+)?s\b/;
const PLAIN_ITEM = /(\d+) (passed|failed|skipped|errors?|xfailed|xpassed|todo|pending|total)\b/g;
// node's marks (ℹ here, ✔ ✖ ﹣ below) as \u escapes: esbuild keeps regex literals as written, and
// the installed bundle must stay ASCII (scripts/bundle.mjs).
const NODE_COUNT = /^(?:.*?\s)?(?:\u2139|#) (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) (\d+(?:\.\d+)?)\s*$/;
const PYTEST_STATUS = 'PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS|RERUN';
/** `tests/x.py::test_y FAILED`, or xdist's `PASSED tests/x.py::test_y`, or `FAILED tests/x.py::test_y - msg`. */
const PYTEST_ID_AFTER = new RegExp(`(?:^|\\s)(\\S+::\\S+) (${PYTEST_STATUS})\\b`);
const PYTEST_ID_BEFORE = new RegExp(`(?:^|\\s)(${PYTEST_STATUS}) (\\S+(?:::\\S+|\\.py))(?: - (.*))?$`);

interface Candidate {
  line: number;
  report: TestReport;
}

function pytestStatus(word: string): TestCaseStatus | 'passed' {
  switch (word) {
    case 'PASSED':
      return 'passed';
    case 'FAILED':
      return 'failed';
    case 'ERROR':
      return 'error';
    case 'SKIPPED':
      return 'skipped';
    case 'XFAIL':
      return 'xfailed';
    case 'RERUN':
      return 'retried';
    default:
      return 'xpassed';
  }
}

function parsePytestCounts(items: string): TestReport {
  const r = emptyReport('pytest');
  for (const m of items.matchAll(/(\d+) (\w+)/g)) {
    const n = Number(m[1]);
    const word = m[2] ?? '';
    if (word === 'passed') r.passed = n;
    else if (word === 'failed') r.failed = n;
    else if (word === 'skipped') r.skipped = n;
    else if (word === 'xfailed') r.xfailed = n;
    else if (word === 'xpassed') r.xpassed = n;
    else if (word.startsWith('error')) r.errors = n;
    else if (word.startsWith('warning')) r.warnings = n;
    else if (word === 'rerun') r.retried = n;
    else if (word === 'deselected') r.deselected = n;
  }
  // A rerun is not a test of its own (its last outcome is counted), nor is a deselected test.
  r.total = r.passed + r.failed + r.errors + r.skipped + r.xfailed + r.xpassed;
  return r;
}

/** Ids with their last seen status, in first-seen order, from pytest verbose / short summary lines. */
function pytestIds(lines: string[]): Map<string, { status: TestCaseStatus | 'passed'; message?: string }> {
  const ids = new Map<string, { status: TestCaseStatus | 'passed'; message?: string }>();
  for (const line of lines) {
    const before = PYTEST_ID_BEFORE.exec(line);
    if (before) {
      const message = before[3]?.trim();
      ids.set(before[2] as string, message ? { status: pytestStatus(before[1] as string), message } : { status: pytestStatus(before[1] as string) });
      continue;
    }
    const after = PYTEST_ID_AFTER.exec(line);
    if (after && !ids.has(after[1] as string)) ids.set(after[1] as string, { status: pytestStatus(after[2] as string) });
  }
  return ids;
}

function attachIds(report: TestReport, ids: Map<string, { status: TestCaseStatus | 'passed'; message?: string }>): void {
  for (const [id, { status, message }] of ids) {
    if (status === 'passed') continue;
    if (status === 'retried') (report.retriedIds ??= []).push(id);
    else if (status === 'skipped' || status === 'xfailed') report.skippedIds.push(id);
    else report.failingIds.push(id);
    report.cases?.push(message === undefined ? { id, status } : { id, status, message });
  }
}

/** Reads node's `ℹ tests 7` / `# tests 7` block starting at `start`; returns the report and the last line used. */
function parseNodeBlock(lines: string[], start: number): { report: TestReport; end: number } {
  const counts: Record<string, number> = {};
  let i = start;
  for (; i < lines.length; i++) {
    const m = NODE_COUNT.exec(lines[i] as string);
    if (!m) break;
    if (counts[m[1] as string] !== undefined) break; // a second block begins
    counts[m[1] as string] = Number(m[2]);
  }
  const r = emptyReport('node');
  r.total = counts['tests'] ?? 0;
  r.passed = counts['pass'] ?? 0;
  r.failed = counts['fail'] ?? 0;
  r.errors = counts['cancelled'] ?? 0;
  // A todo test did not prove anything either: zero tolerance counts it as skipped.
  r.skipped = (counts['skipped'] ?? 0) + (counts['todo'] ?? 0);
  return { report: r, end: i - 1 };
}

const NODE_SPEC_LINE = /^(?:.*?\s)??(\u2714|\u2716|\ufe63)\s+(.*?)\s+\(\d+(?:\.\d+)?m?s\)(?:\s+#\s*(.*))?$/;
const NODE_TAP_LINE = /^(?:.*?\s)??(not ok|ok) \d+ - (.*?)(?:\s+#\s*(SKIP|TODO)\b\s*(.*))?$/;

/** Failing and skipped test names from node's spec or TAP output before the summary block. */
function nodeIds(lines: string[], end: number): Map<string, { status: TestCaseStatus | 'passed'; message?: string }> {
  const ids = new Map<string, { status: TestCaseStatus | 'passed'; message?: string }>();
  // The spec reporter repeats failures under `✖ failing tests:`; that list excludes suites, so prefer it.
  let failingSection = -1;
  for (let i = 0; i < lines.length; i++) if (/^\s*\u2716 failing tests:\s*$/.test(lines[i] as string)) failingSection = i;
  for (let i = 0; i < Math.min(end, lines.length); i++) {
    const line = lines[i] as string;
    const spec = NODE_SPEC_LINE.exec(line);
    if (spec) {
      const [, mark, name = '', note] = spec;
      if (mark === '﹣') ids.set(name, note && note !== 'SKIP' ? { status: 'skipped', message: note } : { status: 'skipped' });
      else if (mark === '✔' && note === 'TODO') ids.set(name, { status: 'skipped', message: 'todo' });
      else if (mark === '✖' && failingSection < 0) ids.set(name, { status: 'failed' });
      continue;
    }
    const tap = NODE_TAP_LINE.exec(line);
    if (tap) {
      const [, ok, name = '', directive, note] = tap;
      if (directive) ids.set(name, { status: 'skipped', message: directive === 'TODO' ? 'todo' : note || 'skip' });
      else if (ok === 'not ok' && !isTapSuite(lines, i)) ids.set(name, { status: 'failed' });
    }
  }
  if (failingSection >= 0) {
    for (let i = failingSection + 1; i < lines.length; i++) {
      const m = /^\s*\u2716\s+(.*?)\s+\(\d+(?:\.\d+)?m?s\)\s*$/.exec(lines[i] as string);
      if (m) ids.set(m[1] as string, { status: 'failed' });
    }
  }
  return ids;
}

/** A TAP `not ok` whose YAML block says `type: 'suite'` reports a suite, not a test. */
function isTapSuite(lines: string[], at: number): boolean {
  for (let j = at + 1; j < Math.min(lines.length, at + 12); j++) {
    const l = (lines[j] as string).trim();
    if (l === '...') return false;
    if (l === "type: 'suite'") return true;
  }
  return false;
}

/**
 * Finds the LAST test summary in runner output: pytest (`== 1 failed, 2 passed in 1.2s ==`,
 * `-q` form, warnings), node's test runner (`ℹ tests 7` spec block or TAP `# tests 7`),
 * or a plain `N passed, N failed, N skipped` line. Adds failing/skipped ids from pytest's
 * `FAILED id - msg` / verbose lines and node's `✖ name` lines. Null when there is none.
 */
export function parseTestSummary(text: string): TestReport | null {
  const lines = stripAnsi(text).split(/\r?\n/);
  let best: Candidate | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const py = PYTEST_SUMMARY.exec(line);
    if (py) {
      best = { line: i, report: parsePytestCounts(py[1] as string) };
      continue;
    }
    if (PYTEST_NO_TESTS.test(line)) {
      best = { line: i, report: emptyReport('pytest') };
      continue;
    }
    const node = NODE_COUNT.exec(line);
    if (node && node[1] === 'tests') {
      const { report, end } = parseNodeBlock(lines, i);
      best = { line: i, report };
      i = end;
      continue;
    }
    const plain = [...line.matchAll(PLAIN_ITEM)];
    if (plain.length >= 2 && plain.some((m) => m[2] === 'passed' || m[2] === 'failed')) {
      const r = emptyReport('plain');
      let total: number | undefined;
      for (const m of plain) {
        const n = Number(m[1]);
        const w = m[2] as string;
        if (w === 'passed') r.passed = n;
        else if (w === 'failed') r.failed = n;
        else if (w === 'skipped' || w === 'todo' || w === 'pending') r.skipped += n;
        else if (w.startsWith('error')) r.errors = n;
        else if (w === 'xfailed') r.xfailed = n;
        else if (w === 'xpassed') r.xpassed = n;
        else total = n;
      }
      r.total = total ?? r.passed + r.failed + r.errors + r.skipped + r.xfailed + r.xpassed;
      best = { line: i, report: r };
    }
  }
  if (!best) return null;
  const { report } = best;
  if (report.source === 'pytest') attachIds(report, pytestIds(lines.slice(0, best.line)));
  else if (report.source === 'node') attachIds(report, nodeIds(lines, best.line));
  return report;
}
