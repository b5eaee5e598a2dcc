import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { RunResult } from '../model/run-result.js';
import { htmlReporter } from './html-reporter.js';
import { junitReporter } from './junit-reporter.js';
import { markdownReporter } from './markdown-reporter.js';
import { criteriaCount, criterionMark } from './reporter.js';
import { sampleRunResult } from './sample-run-result.fixture.js';
import { summaryTextReporter } from './summary-text-reporter.js';

/** A passed run of an external target: Build's only step was not applicable. */
function externalRun(): RunResult {
  const base = sampleRunResult();
  return {
    ...base,
    verdict: 'passed',
    target: { driver: 'external', description: 'external "staging" (exec: none; logs: none)', external: true },
    steps: [
      { id: '01_build_nocache', phase: 'A', log: '01_build_nocache.log', title: 'Build', status: 'not-applicable', detail: 'not applicable: not built by the gate', criterion: 'build', durationMs: 0 },
      { id: '04_wait_health', phase: 'B', log: '04_wait_health.log', title: 'Wait', status: 'passed', detail: 'GET / → 200', criterion: 'boot', durationMs: 5 },
    ],
    criteria: [
      { id: 'build', title: 'Build', passed: false, notApplicable: true, detail: 'n/a: not built by the gate', logs: ['01_build_nocache.log'] },
      { id: 'boot', title: 'Boot', passed: true, detail: 'GET / → 200', logs: ['04_wait_health.log'] },
    ],
  };
}

describe('reporters on a run with not-applicable steps', () => {
  const marks: [Partial<{ passed: boolean; notSelected: boolean; notApplicable: boolean }>, string][] = [
    [{ passed: true }, '✅'],
    [{ passed: false }, '❌'],
    [{ passed: false, notSelected: true }, '–'],
    [{ passed: false, notApplicable: true }, 'n/a'],
  ];
  for (const [flags, mark] of marks) {
    it(`marks a criterion ${JSON.stringify(flags)} as ${mark}`, () => {
      assert.equal(criterionMark({ id: 'x', title: 'X', detail: '', logs: [], passed: false, ...flags }), mark);
    });
  }

  it('counts only the applicable criteria', () => {
    assert.equal(criteriaCount(externalRun()), '1/1 criteria passed');
  });

  it('summary text: the n/a criterion has no ✅/❌, the step reads n/a, the target is named', () => {
    const text = summaryTextReporter.render(externalRun());
    assert.deepEqual(text.split('\n').filter((l) => /✅|❌/.test(l)), ['✅ Boot: GET / → 200']);
    assert.match(text, /^n\/a Build: n\/a: not built by the gate$/m);
    assert.match(text, /^A {6}01_build_nocache\.log +n\/a /m);
    assert.match(text, /^Target: an external deployment \(external "staging"/m);
    assert.match(text, /--- Criteria: 1\/1 passed ---/);
  });

  it('JUnit: the n/a criterion is a skipped testcase, counted as skipped, never a pass', () => {
    const xml = junitReporter.render(externalRun());
    assert.match(xml, /<testsuite [^>]*tests="2" failures="0" errors="0" skipped="1"/);
    assert.match(xml, /<testcase classname="release-gate" name="Build" time="0.000">\s*<skipped message="n\/a: not built by the gate"/);
    assert.match(xml, /<property name="target" value="Target: an external deployment/);
  });

  it('Markdown and HTML: n/a, not ✅', () => {
    assert.match(markdownReporter.render(externalRun()), /\| n\/a \| Build \|/);
    assert.match(markdownReporter.render(externalRun()), /\| 01_build_nocache\.log \| n\/a \|/);
    const html = htmlReporter.render(externalRun());
    assert.match(html, /<tr class="not-run"><td><svg class="icon skip" role="img" aria-label="not applicable">.*?<\/svg><\/td><td>Build<\/td>/);
    assert.match(html, /<p>Target: an external deployment/);
  });
});
