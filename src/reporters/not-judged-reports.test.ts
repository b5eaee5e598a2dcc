import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { parseJUnitXml } from '../checks/junit-xml-parser.js';
import { htmlReporter } from './html-reporter.js';
import { jsonReporter } from './json-reporter.js';
import { junitReporter } from './junit-reporter.js';
import { markdownReporter } from './markdown-reporter.js';
import { sampleNotJudgedRunResult } from './sample-run-result.fixture.js';
import { summaryTextReporter } from './summary-text-reporter.js';

const NOT_JUDGED = 'not judged: the gate stopped at 13_pytest_full after 1m39s of 3m00s (0 restarts seen)';

describe('every reporter: a criterion not judged, a deviation accepted', () => {
  const result = sampleNotJudgedRunResult();

  it('summary log: "–" with no ✅/❌, not counted; one ❌ for the one defect; the deviation as Partial', () => {
    const text = summaryTextReporter.render(result);
    assert.match(text, new RegExp(`^– Stability: ${NOT_JUDGED.replace(/[()]/g, '\\$&')}$`, 'm'));
    assert.equal(text.split('\n').filter((l) => l.includes('❌')).length, 1);
    assert.match(text, /--- Criteria: 4\/5 passed ---/);
    assert.match(text, /^Partial: 12_e2e_3runs: 1 retried test accepted \(flaky login tracked in #123\)$/m);
  });

  it('summary.json: notJudged on the criterion and the step, answersBefore kept, deviations listed', () => {
    const json = JSON.parse(jsonReporter.render(result)) as { complete: boolean; deviations: string[]; criteria: { id: string; notJudged?: boolean }[]; steps: { log: string; answersBefore?: unknown[] }[] };
    assert.equal(json.criteria.find((c) => c.id === 'stability')?.notJudged, true);
    assert.equal(json.steps.find((s) => s.log === '03_ps_initial.log')?.answersBefore?.length, 1);
    assert.equal(json.complete, false);
    assert.equal(json.deviations.length, 1);
  });

  it('junit.xml: a skipped testcase with its message, not a failure; the deviation as a property', () => {
    const xml = junitReporter.render(result);
    assert.match(xml, /<testcase classname="release-gate" name="Stability"[^>]*>\s*<skipped message="not judged: the gate stopped at 13_pytest_full/);
    const parsed = parseJUnitXml(xml);
    assert.equal(parsed.failed, 1);
    assert.equal(parsed.skipped, 1);
    assert.match(xml, /<property name="deviations" value="12_e2e_3runs: 1 retried test accepted/);
  });

  it('junit.xml: a red run whose only non-pass is not judged still has a failing testcase', () => {
    const interrupted = { ...result, verdict: 'timedout' as const, stoppedAt: 'deadline', criteria: result.criteria.map((c) => (c.id === 'tests' ? { ...c, passed: true } : c)) };
    assert.equal(parseJUnitXml(junitReporter.render(interrupted)).failed, 1);
  });

  it('markdown and html: the not-judged line without a pass or fail mark', () => {
    assert.match(markdownReporter.render(result), /\| – \| Stability \| not judged: the gate stopped at 13_pytest_full/);
    const html = htmlReporter.render(result);
    assert.match(html, /<tr class="not-run"><td>[^]*?not judged[^]*?<\/td><td>Stability<\/td><td>not judged: the gate stopped at 13_pytest_full/);
    assert.match(html, /PARTIAL \(12_e2e_3runs: 1 retried test accepted/);
  });
});
