import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { escapeHtml, htmlReporter } from './html-reporter.js';
import { sampleRunResult } from './sample-run-result.js';

describe('HtmlReporter', () => {
  it('escapes every value taken from the run', () => {
    const result = sampleRunResult({ config: 'cfg/<script>alert(1)</script>.yml' });
    const html = htmlReporter.render(result);
    assert.doesNotMatch(html, /<script/i);
    assert.match(html, /cfg\/&lt;script&gt;alert\(1\)&lt;\/script&gt;\.yml/);
    assert.match(html, /see &lt;13_pytest_failing_tests.txt&gt; &amp; &quot;fix&quot;/);
  });

  it('is self-contained: inline style, no external resource, no script', () => {
    const html = htmlReporter.render(sampleRunResult());
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<style>/);
    assert.doesNotMatch(html, /<(script|link|img)\b|src=|https?:\/\//i);
  });

  it('shows the verdict, one row per criterion and links the artifacts', () => {
    const result = sampleRunResult();
    const html = htmlReporter.render(result);
    assert.match(html, /GATE FAILED — 5\/6 criteria passed/);
    assert.match(html, /Stopped at: phase F, step 13_pytest_full: Tests failed/);
    assert.equal(html.match(/<tr class="(passed|failed)"><td>(✅|❌)/g)?.length, result.criteria.length);
    assert.match(html, /<li><a href="13_pytest_failing_tests.txt">13_pytest_failing_tests.txt<\/a><\/li>/);
  });

  it('shows the E2E latency of each scenario step, and leaves the section out without one', () => {
    const html = htmlReporter.render(sampleRunResult());
    assert.match(html, /<h2>E2E latency<\/h2>/);
    assert.match(html, /<tr><td>12_e2e_3runs.log<\/td><td>lock<\/td><td>3<\/td><td>40ms<\/td><td>310ms<\/td><td>310ms<\/td><td>0<\/td><td>over: p95 310ms &gt; 300ms<\/td><\/tr>/);
    const without = sampleRunResult();
    for (const s of without.steps) delete s.latency;
    assert.doesNotMatch(htmlReporter.render(without), /E2E latency/);
  });

  it('does not link a path that leaves the log dir', () => {
    const html = htmlReporter.render(sampleRunResult({ artifacts: ['../etc/passwd', 'a b.log'] }));
    assert.match(html, /<li>\.\.\/etc\/passwd<\/li>/);
    assert.match(html, /<a href="a%20b.log">a b.log<\/a>/);
  });

  it('escapes the five special characters', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
