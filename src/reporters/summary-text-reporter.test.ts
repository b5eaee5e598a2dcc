import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { maskTimes, sampleRunResult } from './sample-run-result.fixture.js';
import { summaryTextReporter } from './summary-text-reporter.js';

describe('SummaryTextReporter', () => {
  it('renders the validation summary (timestamps and durations masked)', () => {
    assert.equal(
      maskTimes(summaryTextReporter.render(sampleRunResult())),
      `=== release-gate: validation summary ===
Verdict:   GATE FAILED
Config:    presets/korrigo.yml
Log dir:   /tmp/release_gate_20250301T100000Z
Tool:      release-gate 0.1.0
Started:   <TS>
Ended:     <TS>
Duration:  <DUR>
Stopped at: phase F, step 13_pytest_full: Tests failed

--- Criteria: 5/6 passed ---
✅ Build: 5 images built
✅ Boot: 5/5 running+healthy
✅ Stability: 0 restarts, 0 exits, 0 OOM over 180s
✅ Pages: every READY copy has pages > 0 [ok]
✅ E2E: 3/3 runs passed
❌ Tests: 41 passed, 0 failed, 0 errors, 1 skipped (tests/test_x.py::test_skip) see <13_pytest_failing_tests.txt> & "fix"

--- Counts ---
e2e.runs       3
tests.passed   41
tests.skipped  1

--- Steps ---
PHASE  LOG                    STATUS   DURATION  EXIT  DETAIL
clean  00_compose_down.log    passed   1.2s      0     ok
A      01_build_nocache.log   passed   1m35s     0     5 images built
B      02_up.log              passed   4.0s      0     ok
B      03_ps_initial.log      passed   300ms     0     5/5 running+healthy
B      06_stability_180s.log  passed   3m00s     0     0 restarts, 0 exits, 0 OOM over 180s
D      11_db_sanity.log       passed   2.1s      0     3 lines match pages=(\\d+), all > 0
E      12_e2e_3runs.log       passed   6.5s      0     [ok] E2E: 3/3 RUNS PASSED
F      13_pytest_full.log     failed   1m01s     0     41 passed, 0 failed, 0 errors, 1 skipped (tests/test_x.py::test_skip)
G      14_compose_logs.log    not-run  -         -     not run: gate failed at F

--- Artifacts (5) in /tmp/release_gate_20250301T100000Z ---
00_compose_down.log
01_build_nocache.log
13_pytest_failing_tests.txt
17_validation_summary.log
summary.json

RESULT: GATE FAILED (5/6 criteria passed) — Stopped at: phase F, step 13_pytest_full: Tests failed
`,
    );
  });

  const cases = [
    { name: 'a failed run', result: sampleRunResult() },
    { name: 'a passed run', result: sampleRunResult({ verdict: 'passed', criteria: sampleRunResult().criteria.map((c) => ({ ...c, passed: true })) }) },
    { name: 'a run with no criteria', result: sampleRunResult({ criteria: [] }) },
  ];
  for (const c of cases) {
    it(`prints exactly one ✅/❌ line per criterion for ${c.name} (the seed's grep -E '✅|❌')`, () => {
      const lines = summaryTextReporter.render(c.result).split('\n').filter((l) => /✅|❌/.test(l));
      assert.equal(lines.length, c.result.criteria.length);
      lines.forEach((line, i) => assert.ok(line.startsWith(c.result.criteria[i]?.passed ? '✅ ' : '❌ '), line));
    });
  }

  it('says where an interrupted run stopped', () => {
    const text = summaryTextReporter.render(sampleRunResult({ verdict: 'interrupted', stoppedAt: 'SIGINT during phase B, step 06_stability_180s' }));
    assert.match(text, /^Verdict: +GATE INTERRUPTED$/m);
    assert.match(text, /^Interrupted at: SIGINT during phase B, step 06_stability_180s$/m);
  });

  it('has no stopped line for a run that went to the end', () => {
    const { stoppedAt: _, ...rest } = sampleRunResult({ verdict: 'passed' });
    assert.doesNotMatch(summaryTextReporter.render(rest), /Stopped at|Interrupted at/);
  });
});
