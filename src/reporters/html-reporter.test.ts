import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { escapeHtml, htmlReporter } from './html-reporter.js';
import type { RunResult, StepResult } from '../model/run-result.js';
import { sampleRunResult } from './sample-run-result.fixture.js';

describe('HtmlReporter', () => {
  it('shows the selftest table after `release-gate selftest`: each mutation, live ones labelled, MISSED rows and why', () => {
    const plain = htmlReporter.render(sampleRunResult());
    assert.doesNotMatch(plain, /id="selftest"/);
    const result = sampleRunResult();
    result.selftest = {
      passed: false,
      caught: 1,
      total: 2,
      rows: [
        { title: 'Stability', mutation: "live: SIGKILL of worker's main process during the watch", log: 'selftest-live/06_stability_5s.log', result: 'caught', detail: '1 exits (worker)', live: true },
        { title: 'Build', mutation: 'the step fails (exit code 1)', log: '01_build_nocache.log', result: 'caught', detail: 'exit code 1', exitCodeOnly: true },
        { title: 'Boot', mutation: 'live: GET /metrics without X-Metrics-Token', log: 'selftest-live/05_wait_metrics.log', result: 'MISSED', detail: 'HTTP 200: the endpoint is public <b>', live: true },
      ],
      vacuous: [{ title: 'Boot', why: 'the endpoint is public' }],
      live: { logDir: 'selftest-live', kill: 'killed worker (SIGKILL) at 00:00:09', leftovers: [] },
    };
    const html = htmlReporter.render(result);
    const section = html.slice(html.indexOf('<section id="selftest">'), html.indexOf('</section>', html.indexOf('<section id="selftest">')));
    assert.match(section, /SELFTEST FAILED: 1\/2 criteria caught/);
    assert.equal((section.match(/<tr class="/g) ?? []).length, 3);
    assert.match(section, /<tr class="failed">.*Boot.*<strong>live<\/strong> live: GET \/metrics without X-Metrics-Token.*MISSED.*the endpoint is public &lt;b&gt;/);
    assert.match(section, /the step fails \(exit code 1\) <em>\(exit code only\)<\/em>/);
    assert.match(section, /Live run .*<code>selftest-live<\/code>\): killed worker \(SIGKILL\).*nothing left running/);
    assert.match(section, /<li>Boot: the endpoint is public<\/li>/);
  });

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
    // The one <link>: an empty inline favicon, so that a browser does not ask the server for one (a 404).
    assert.match(html, /<link rel="icon" href="data:,">/);
    assert.doesNotMatch(html.replace('<link rel="icon" href="data:,">', ''), /<(script|link|img)\b|src=|https?:\/\//i);
  });

  it('shows the verdict, one row per criterion and links the artifacts', () => {
    const result = sampleRunResult();
    const html = htmlReporter.render(result);
    assert.match(html, /GATE FAILED — 5\/6 criteria passed/);
    assert.match(html, /Stopped at: phase F, step 13_pytest_full: Tests failed/);
    const criteriaTable = html.slice(html.indexOf('id="criteria"'), html.indexOf('</table>', html.indexOf('id="criteria"')));
    assert.equal(criteriaTable.match(/<tr class="(passed|failed)"><td><svg class="icon (pass|fail)"/g)?.length, result.criteria.length);
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

  it('draws icons as inline SVG, never as emoji characters a font may lack', () => {
    const html = htmlReporter.render(sampleRunResult());
    assert.doesNotMatch(html, /[✅❌]/u);
    assert.match(html, /<svg class="icon pass" role="img" aria-label="passed"><use href="#rg-pass"\/><\/svg> E2E: 3\/3 RUNS PASSED/);
    assert.match(html, /<symbol id="rg-fail"/);
  });

  it('links only the artifacts the run wrote', () => {
    const result = sampleRunResult();
    const html = htmlReporter.render(result);
    const hrefs = [...html.matchAll(/<a href="([^"]+)"/g)].map((m) => decodeURIComponent(m[1] as string));
    assert.ok(hrefs.length > 0);
    for (const href of hrefs) assert.ok(result.artifacts.includes(href), `${href} links an artifact the run did not write`);
    // 12_e2e_3runs.log is a step's log but not in the artifacts: shown, not linked.
    assert.match(html, /<span class="missing" title="not written by this run">12_e2e_3runs.log<\/span>/);
  });

  it('puts every step on the timeline and hatches the stability watch that spans later steps', () => {
    const base = sampleRunResult();
    const t0 = Date.parse(base.startedAt);
    const iso = (s: number): string => new Date(t0 + s * 1000).toISOString();
    // The watch runs from 10 s to the end (100 s); the E2E runs inside it.
    const steps = [
      { ...(base.steps[2] as StepResult), startedAt: iso(0), endedAt: iso(10) },
      { ...(base.steps[4] as StepResult), startedAt: iso(10), endedAt: iso(100) },
      { ...(base.steps[6] as StepResult), startedAt: iso(20), endedAt: iso(50) },
      base.steps[8] as StepResult,
    ];
    const html = htmlReporter.render({ ...base, steps, startedAt: iso(0), endedAt: iso(100), durationMs: 100_000 });
    const bars = [...html.matchAll(/<span class="tl-bar ([^"]+)" style="left:([\d.]+)%;width:([\d.]+)%"/g)].map((m) => [m[1], m[2], m[3]]);
    assert.deepEqual(bars, [
      ['passed', '0.00', '10.00'],
      ['passed span', '10.00', '90.00'],
      ['passed', '20.00', '30.00'],
    ]);
    assert.match(html, /<div class="tl-row not-run" data-step="14_compose_logs">.*<span class="tl-dur">not run<\/span>/);
  });

  it('shows the failed wait: request, last answer, body excerpt and a curl replay with $VAR secrets', () => {
    const base = sampleRunResult();
    const wait: StepResult = {
      id: '05_wait_metrics', phase: 'B', log: '05_wait_metrics.log', title: 'Wait for /metrics', status: 'failed',
      startedAt: base.startedAt, endedAt: base.endedAt, durationMs: 1000,
      detail: 'GET /metrics → 403 3 times in a row: token rejected (or missing)',
      http: { method: 'GET', url: 'http://127.0.0.1:8088/metrics', headers: { 'X-Metrics-Token': '$METRICS_TOKEN', Accept: 'text/plain' }, expected: [200], status: 403, contentType: 'text/html', bodyExcerpt: '<h1>Forbidden</h1>' },
    };
    const html = htmlReporter.render({ ...base, steps: [...base.steps, wait] });
    assert.match(html, /<section id="failures">\n<h2>What failed<\/h2>/);
    assert.match(html, /<pre class="body">&lt;h1&gt;Forbidden&lt;\/h1&gt;<\/pre>/);
    assert.match(html, /<pre class="curl">curl -sS -i --max-time 10 -X GET -H &#39;X-Metrics-Token: &#39;&quot;\$METRICS_TOKEN&quot; -H &#39;Accept: text\/plain&#39; http:\/\/127.0.0.1:8088\/metrics<\/pre>/);
    assert.match(html, /<tr><th>Last answer<\/th><td>403 text\/html<\/td><\/tr>/);
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
