import type { XMLParser } from 'fast-xml-parser';
import { lazyRequire } from '../common/lazy-require.js';
import { emptyReport, record, type TestCaseStatus, type TestReport } from './test-report.js';

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
