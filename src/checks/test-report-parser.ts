/**
 * Test reports, read from a machine report (JUnit XML) or, failing that, from the
 * runner's own summary text (pytest, node's test runner, a plain `N passed, N failed`
 * line). Zero tolerance lives in `judgeTestReport`: a skipped test fails the gate —
 * the bash original missed skips because it grepped `\d+ skipped` with ERE.
 */
import type { XMLParser } from 'fast-xml-parser';
import { lazyRequire } from '../common/lazy-require.js';
import { stripAnsi } from '../common/text.js';

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

// ---------------------------------------------------------------------------
// JUnit XML

type XmlNode = Record<string, unknown>;

/** A test case holding one of these failed or errored before a rerun passed (Surefire, Gradle). */
const RETRY_TAGS = ['flakyFailure', 'flakyError', 'rerunFailure', 'rerunError'];
const ARRAY_TAGS = new Set(['testsuite', 'testcase', 'failure', 'error', 'skipped', 'property', ...RETRY_TAGS]);

// Loaded on the first report parsed: `plan` never needs an XML parser.
const xmlLibrary = lazyRequire<typeof import('fast-xml-parser')>('fast-xml-parser');
let parser: XMLParser | undefined;
const xmlParser = (): XMLParser =>
  (parser ??= new (xmlLibrary().XMLParser)({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: true,
    // Numeric character references too: pytest writes a message's newlines as `&#10;`.
    htmlEntities: true,
    isArray: (tagName) => ARRAY_TAGS.has(tagName),
  }));

function children(node: XmlNode, tag: string): XmlNode[] {
  const value = node[tag];
  if (!Array.isArray(value)) return [];
  // `<skipped/>` parses as '' — normalise to an empty node.
  return value.map((v) => (typeof v === 'object' && v !== null ? (v as XmlNode) : { '#text': String(v) }));
}

function attr(node: XmlNode, name: string): string | undefined {
  const v = node[`@_${name}`];
  return v === undefined ? undefined : String(v);
}

function firstLine(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const line = text.trim().split('\n', 1)[0]?.trim();
  return line ? line : undefined;
}

function messageOf(node: XmlNode): string | undefined {
  return firstLine(attr(node, 'message')) ?? firstLine(typeof node['#text'] === 'string' ? node['#text'] : undefined);
}

/** node's junit reporter escapes names twice (`&amp;quot;`); undo the second layer for its reports. */
function decodeEntities(text: string): string {
  return text.replace(/&(quot|apos|lt|gt|amp);/g, (_, e: string) => ({ quot: '"', apos: "'", lt: '<', gt: '>', amp: '&' })[e] ?? '');
}

function emptyReport(source: TestReport['source']): TestReport {
  return { total: 0, passed: 0, failed: 0, errors: 0, skipped: 0, xfailed: 0, xpassed: 0, failingIds: [], skippedIds: [], retried: 0, retriedIds: [], deselected: 0, source, cases: [] };
}

function record(report: TestReport, id: string, status: TestCaseStatus | 'passed', message?: string): void {
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
 * Parses JUnit XML: `<testsuites>` or a single `<testsuite>`, nested suites, testcases
 * directly under `<testsuites>` (node's reporter), `<failure>`, `<error>`, `<skipped>`.
 * pytest's `<skipped type="pytest.xfail">` counts as xfailed; node's `<skipped type="todo">`
 * counts as skipped. Ids are `classname::name`, else `file::name`; node's reporter puts
 * `classname="test"` on every case, so its ids are the suite path joined by ` > `.
 * Entities are decoded in names and messages (`&#10;`, `&lt;`). Outcomes are counted as
 * pytest's summary line counts them: a test that passed, failed or was skipped and then
 * errored in teardown (`message="failed on teardown …"`) counts once for its outcome and
 * once as an error, even when pytest wrote the error as a second `<testcase>` of that name.
 * The suites' `tests`/`failures`/… attributes are used only when no test case is listed.
 * A JUnit report cannot tell pytest's non-strict XPASS from a pass (see `combineTestReports`).
 * Throws on malformed XML, naming line and column.
 */
export function parseJUnitXml(xml: string): TestReport {
  const valid = xmlLibrary().XMLValidator.validate(xml);
  if (valid !== true) {
    const { code, msg, line, col } = valid.err;
    throw new Error(`Malformed JUnit XML at line ${line}, column ${col}: ${msg} (${code})`);
  }
  const doc = xmlParser().parse(xml) as XmlNode;
  const rootSuites = doc['testsuites'];
  let roots: XmlNode[];
  let looseCases: XmlNode[] = [];
  let rootAttrs: XmlNode | undefined;
  if (rootSuites !== undefined) {
    const root: XmlNode = typeof rootSuites === 'object' && rootSuites !== null ? (rootSuites as XmlNode) : {};
    roots = children(root, 'testsuite');
    looseCases = children(root, 'testcase');
    rootAttrs = root;
  } else if (doc['testsuite'] !== undefined) {
    roots = children(doc, 'testsuite');
    rootAttrs = roots.length === 1 ? roots[0] : undefined;
  } else {
    const found = Object.keys(doc).filter((k) => !k.startsWith('?')).map((k) => `<${k}>`).join(', ') || 'nothing';
    throw new Error(`Not a JUnit report: expected a <testsuites> or <testsuite> root element, found ${found}`);
  }

  const allCases: { node: XmlNode; path: string[] }[] = [];
  const walk = (suite: XmlNode, path: string[]): void => {
    const name = attr(suite, 'name');
    const here = name ? [...path, name] : path;
    for (const tc of children(suite, 'testcase')) allCases.push({ node: tc, path: here });
    for (const inner of children(suite, 'testsuite')) walk(inner, here);
  };
  for (const tc of looseCases) allCases.push({ node: tc, path: [] });
  for (const s of roots) walk(s, []);

  const report = emptyReport('junit');
  const seenIds = new Set<string>();
  const nodeFlavour = allCases.length > 0 && allCases.every(({ node }) => attr(node, 'classname') === 'test' && attr(node, 'file') === undefined);

  for (const { node, path } of allCases) {
    let name = attr(node, 'name') ?? '(unnamed)';
    let id: string;
    if (nodeFlavour) {
      name = decodeEntities(name);
      id = [...path.map(decodeEntities), name].join(' > ');
    } else {
      const prefix = attr(node, 'classname') || attr(node, 'file');
      id = prefix ? `${prefix}::${name}` : name;
    }
    const failure = children(node, 'failure')[0];
    const error = children(node, 'error')[0];
    const skipped = children(node, 'skipped')[0];
    // pytest counts a teardown error besides the test's own outcome (`1 passed, 1 error`) and
    // writes it into that test's <testcase>, or into a second one of the same name when the
    // test itself failed: count it as pytest does, so both sources agree.
    const teardownError = error !== undefined && /^failed on teardown\b/.test(attr(error, 'message') ?? '');
    const seen = seenIds.has(id);
    seenIds.add(id);
    if (failure) record(report, id, 'failed', messageOf(failure));
    else if (skipped) {
      const type = attr(skipped, 'type') ?? '';
      // node writes message="true" when a skip or todo has no reason.
      const message = type === 'todo' ? 'todo' : messageOf(skipped);
      record(report, id, type === 'pytest.xfail' ? 'xfailed' : 'skipped', message === 'true' ? undefined : message);
    } else if (error && !teardownError) record(report, id, 'error', messageOf(error));
    else if (!(teardownError && seen)) {
      const retry = RETRY_TAGS.map((tag) => children(node, tag)[0]).find((n) => n !== undefined);
      if (retry) record(report, id, 'retried', messageOf(retry));
      else record(report, id, 'passed');
    }
    if (error && (teardownError || failure || skipped)) record(report, id, 'error', messageOf(error));
  }

  // A report listing no test cases but stating counts (some producers only write totals).
  if (allCases.length === 0 && rootAttrs) {
    const n = (k: string): number => Number(attr(rootAttrs, k) ?? 0) || 0;
    report.total = n('tests');
    report.failed = n('failures');
    report.errors = n('errors');
    report.skipped = n('skipped') + n('disabled');
    report.passed = Math.max(0, report.total - report.failed - report.errors - report.skipped);
  }
  return report;
}

// ---------------------------------------------------------------------------
// Summary text

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

// ---------------------------------------------------------------------------
// Verdict

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
