import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { parseJUnitXml } from '../checks/junit-xml-parser.js';
import { junitReporter } from './junit-reporter.js';
import { maskTimes, sampleRunResult } from './sample-run-result.fixture.js';

describe('JUnitReporter', () => {
  it('parses back with one testcase per criterion and the failed one as a failure', () => {
    const result = sampleRunResult();
    const report = parseJUnitXml(junitReporter.render(result));
    assert.equal(report.total, result.criteria.length);
    assert.equal(report.passed, 5);
    assert.equal(report.failed, 1);
    assert.equal(report.errors + report.skipped, 0);
    assert.deepEqual(report.failingIds, ['release-gate::Tests']);
    assert.equal(report.cases?.[0]?.message, '41 passed, 0 failed, 0 errors, 1 skipped (tests/test_x.py::test_skip) see <13_pytest_failing_tests.txt> & "fix"');
  });

  it('parses back as all green for a passed run', () => {
    const base = sampleRunResult();
    const { stoppedAt: _, ...result } = { ...base, verdict: 'passed' as const, criteria: base.criteria.map((c) => ({ ...c, passed: true })) };
    const report = parseJUnitXml(junitReporter.render(result));
    assert.deepEqual([report.total, report.passed, report.failed], [6, 6, 0]);
  });

  it('adds a failing testcase when the run failed or was interrupted outside any criterion', () => {
    const base = sampleRunResult();
    const result = { ...base, verdict: 'interrupted' as const, stoppedAt: 'SIGINT during phase B', criteria: base.criteria.slice(0, 2) };
    const report = parseJUnitXml(junitReporter.render(result));
    assert.deepEqual([report.total, report.failed], [3, 1]);
    assert.deepEqual(report.cases, [{ id: 'release-gate::Run completed', status: 'failed', message: 'Interrupted at: SIGINT during phase B' }]);
  });

  it('writes criterion times in seconds, escaped attributes and no control characters', () => {
    const base = sampleRunResult();
    const result = { ...base, criteria: [...base.criteria, { id: 'logs', title: 'Logs', passed: false, detail: '\u001b[31mERROR\u001b[0m x', logs: [] }] };
    const xml = maskTimes(junitReporter.render(result));
    assert.match(xml, /<testcase classname="release-gate" name="Stability" time="<N>">/);
    assert.match(junitReporter.render(result), /name="Stability" time="180\.000"/);
    assert.match(xml, /message="41 passed, 0 failed, 0 errors, 1 skipped \(tests\/test_x.py::test_skip\) see &lt;13_pytest_failing_tests.txt&gt; &amp; &quot;fix&quot;"/);
    assert.match(xml, /message="\[31mERROR\[0m x"/);
    assert.match(xml, /<property name="verdict" value="FAILED"\/>/);
    assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="release-gate" tests="7" failures="2"'));
  });
});
