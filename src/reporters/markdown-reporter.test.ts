import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { markdownReporter } from './markdown-reporter.js';
import { sampleRunResult } from './sample-run-result.fixture.js';

describe('MarkdownReporter', () => {
  it('renders a heading with the verdict and one table row per criterion and step', () => {
    const result = sampleRunResult();
    const md = markdownReporter.render(result);
    assert.match(md, /^## release-gate: GATE FAILED \(5\/6 criteria passed\)$/m);
    assert.match(md, /^\*\*Stopped at: phase F, step 13_pytest_full: Tests failed\*\*$/m);
    assert.equal(md.split('\n').filter((l) => /^\| (✅|❌) \|/.test(l)).length, result.criteria.length);
    assert.equal(md.split('\n').filter((l) => /^\| [A-Gcln]\w* \| \d\d_/.test(l)).length, result.steps.length);
  });

  it('adds one E2E latency row per scenario step', () => {
    const md = markdownReporter.render(sampleRunResult());
    assert.match(md, /^\| Log \| Step \| n \| p50 \| p95 \| max \| Failures \| Budget \|$/m);
    assert.match(md, /^\| 12_e2e_3runs.log \| login \| 1 \| 180ms \| 180ms \| 180ms \| 0 \|  \|$/m);
    assert.match(md, /^\| 12_e2e_3runs.log \| lock \| 3 \| 40ms \| 310ms \| 310ms \| 0 \| over: p95 310ms \\> 300ms \|$/m);
  });

  it('keeps a cell on one line and escapes pipes and markup', () => {
    const md = markdownReporter.render(sampleRunResult({ criteria: [{ id: 'x', title: 'A|B', passed: false, detail: 'line1\nline2 <b>', logs: [] }] }));
    assert.match(md, /^\| ❌ \| A\\\|B \| line1 line2 \\<b\\> \|$/m);
  });
});
