import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { markdownReporter } from './markdown-reporter.js';
import { sampleRunResult } from './sample-run-result.js';

describe('MarkdownReporter', () => {
  it('renders a heading with the verdict and one table row per criterion and step', () => {
    const result = sampleRunResult();
    const md = markdownReporter.render(result);
    assert.match(md, /^## release-gate: GATE FAILED \(5\/6 criteria passed\)$/m);
    assert.match(md, /^\*\*Stopped at: phase F, step 13_pytest_full: Tests failed\*\*$/m);
    assert.equal(md.split('\n').filter((l) => /^\| (✅|❌) \|/.test(l)).length, result.criteria.length);
    assert.equal(md.split('\n').filter((l) => /^\| [A-Gcln]\w* \| \d\d_/.test(l)).length, result.steps.length);
  });

  it('keeps a cell on one line and escapes pipes and markup', () => {
    const md = markdownReporter.render(sampleRunResult({ criteria: [{ id: 'x', title: 'A|B', passed: false, detail: 'line1\nline2 <b>', logs: [] }] }));
    assert.match(md, /^\| ❌ \| A\\\|B \| line1 line2 \\<b\\> \|$/m);
  });
});
