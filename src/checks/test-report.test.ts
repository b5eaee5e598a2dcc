import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { parseJUnitXml } from './junit-xml-parser.js';
import { formatFailingTests, judgeTestReport } from './test-report-judge.js';
import { combineTestReports, type TestReport } from './test-report.js';
import { parseTestSummary } from './test-summary-parser.js';

// Real outputs (node 20.20 test runner, pytest 9.0) from the same two sample suites; stack traces shortened.
const NODE_JUNIT = `<?xml version="1.0" encoding="utf-8"?>
<testsuites>
	<testsuite name="math &amp; &lt;stuff>" time="0.003862" disabled="0" errors="0" tests="5" failures="1" skipped="3" hostname="vm">
		<testcase name="adds" time="0.000821" classname="test"/>
		<testcase name="fails &amp;quot;badly&amp;quot;" time="0.001222" classname="test" failure="2 == 3">
			<failure type="testCodeFailure" message="2 == 3">
Error [ERR_TEST_FAILURE]: 2 == 3
    at async Promise.all (index 0) {
  code: 'ERR_TEST_FAILURE',
  failureType: 'testCodeFailure',
  cause: AssertionError [ERR_ASSERTION]: 2 == 3
      at TestContext.&lt;anonymous> (file:///tmp/rgs/sample.test.mjs:5:38)
      at Test.runInAsyncScope (node:async_hooks:206:9)
    generatedMessage: true,
    code: 'ERR_ASSERTION',
    actual: 2,
    expected: 3,
    operator: '=='
  }
}
			</failure>
		</testcase>
		<testcase name="skipped one" time="0.000143" classname="test">
			<skipped type="skipped" message="true"/>
		</testcase>
		<testcase name="todo one" time="0.000195" classname="test">
			<skipped type="todo" message="true"/>
		</testcase>
		<testcase name="skip at runtime" time="0.000159" classname="test">
			<skipped type="skipped" message="because"/>
		</testcase>
	</testsuite>
	<testcase name="top level ok" time="0.002577" classname="test"/>
	<testcase name="throws error" time="0.000124" classname="test" failure="boom &lt;x>">
		<failure type="testCodeFailure" message="boom &lt;x>">
[Error [ERR_TEST_FAILURE]: boom &lt;x>] {
  code: 'ERR_TEST_FAILURE',
  failureType: 'testCodeFailure',
  cause: TypeError [Error]: boom &lt;x>
      at TestContext.&lt;anonymous> (file:///tmp/rgs/sample.test.mjs:11:36)
      at Test.runInAsyncScope (node:async_hooks:206:9)
}
		</failure>
	</testcase>
	<!-- tests 7 -->
	<!-- suites 1 -->
	<!-- pass 2 -->
	<!-- fail 2 -->
	<!-- cancelled 0 -->
	<!-- skipped 2 -->
	<!-- todo 1 -->
	<!-- duration_ms 167.329946 -->
</testsuites>
`;

const NODE_SPEC = `▶ math & <stuff>
  ✔ adds (1.273621ms)
  ✖ fails "badly" (1.580725ms)
    AssertionError [ERR_ASSERTION]: 2 == 3
        at TestContext.<anonymous> (file:///tmp/rgs/sample.test.mjs:5:38)
        at Test.runInAsyncScope (node:async_hooks:206:9)
      generatedMessage: true,
      code: 'ERR_ASSERTION',
      actual: 2,
      expected: 3,
      operator: '=='
    }

  ﹣ skipped one (0.260185ms) # SKIP
  ✔ todo one (0.28431ms) # TODO
  ﹣ skip at runtime (0.228735ms) # because
✖ math & <stuff> (5.704253ms)
✔ top level ok (3.613799ms)
✖ throws error (0.322113ms)
  TypeError [Error]: boom <x>
      at TestContext.<anonymous> (file:///tmp/rgs/sample.test.mjs:11:36)
      at Test.runInAsyncScope (node:async_hooks:206:9)

ℹ tests 7
ℹ suites 1
ℹ pass 2
ℹ fail 2
ℹ cancelled 0
ℹ skipped 2
ℹ todo 1
ℹ duration_ms 211.724469

✖ failing tests:

test at sample.test.mjs:5:3
✖ fails "badly" (1.580725ms)
  AssertionError [ERR_ASSERTION]: 2 == 3
      at TestContext.<anonymous> (file:///tmp/rgs/sample.test.mjs:5:38)
      at Test.runInAsyncScope (node:async_hooks:206:9)
    generatedMessage: true,
    code: 'ERR_ASSERTION',
    actual: 2,
    expected: 3,
    operator: '=='
  }

test at sample.test.mjs:11:1
✖ throws error (0.322113ms)
  TypeError [Error]: boom <x>
      at TestContext.<anonymous> (file:///tmp/rgs/sample.test.mjs:11:36)
      at Test.runInAsyncScope (node:async_hooks:206:9)
`;

const NODE_TAP = `TAP version 13
# Subtest: math & <stuff>
    # Subtest: adds
    ok 1 - adds
      ---
      duration_ms: 1.055667
      ...
    # Subtest: fails "badly"
    not ok 2 - fails "badly"
      ---
      duration_ms: 1.353442
      location: '/tmp/rgs/sample.test.mjs:5:3'
      failureType: 'testCodeFailure'
      error: '2 == 3'
      code: 'ERR_ASSERTION'
      name: 'AssertionError'
      expected: 3
      actual: 2
      operator: '=='
      stack: |-
        TestContext.<anonymous> (file:///tmp/rgs/sample.test.mjs:5:38)
        Test.runInAsyncScope (node:async_hooks:206:9)
      ...
    # Subtest: skipped one
    ok 3 - skipped one # SKIP
      ---
      duration_ms: 0.276446
      ...
    # Subtest: todo one
    ok 4 - todo one # TODO
      ---
      duration_ms: 0.24725
      ...
    # Subtest: skip at runtime
    ok 5 - skip at runtime # SKIP because
      ---
      duration_ms: 0.265194
      ...
    1..5
not ok 1 - math & <stuff>
  ---
  duration_ms: 5.040462
  type: 'suite'
  location: '/tmp/rgs/sample.test.mjs:3:1'
  failureType: 'subtestsFailed'
  error: '1 subtest failed'
  code: 'ERR_TEST_FAILURE'
  ...
# Subtest: top level ok
ok 2 - top level ok
  ---
  duration_ms: 2.695815
  ...
# Subtest: throws error
not ok 3 - throws error
  ---
  duration_ms: 0.14745
  location: '/tmp/rgs/sample.test.mjs:11:1'
  failureType: 'testCodeFailure'
  error: 'boom <x>'
  code: 'ERR_TEST_FAILURE'
  name: 'TypeError'
  stack: |-
    TestContext.<anonymous> (file:///tmp/rgs/sample.test.mjs:11:36)
    Test.runInAsyncScope (node:async_hooks:206:9)
  ...
1..3
# tests 7
# suites 1
# pass 2
# fail 2
# cancelled 0
# skipped 2
# todo 1
# duration_ms 206.701309
`;

const PYTEST_JUNIT = `<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="2" skipped="2" tests="11" time="1.103" timestamp="2026-11-24T02:19:07.209127+00:00" hostname="vm"><testcase classname="tests.test_x" name="test_ok" time="0.001" /><testcase classname="tests.test_x" name="test_ok2" time="0.001" /><testcase classname="tests.test_x" name="test_fail" time="0.001"><failure message="assert 1 == 2">tests/test_x.py:4: in test_fail
    def test_fail(): assert 1 == 2
                     ^^^^^^^^^^^^^
E   assert 1 == 2</failure></testcase><testcase classname="tests.test_x" name="test_skip" time="0.000"><skipped type="pytest.skip" message="not now">/tmp/rgs/py/tests/test_x.py:5: not now</skipped></testcase><testcase classname="tests.test_x" name="test_xfail" time="0.001"><skipped type="pytest.xfail" message="known bug" /></testcase><testcase classname="tests.test_x" name="test_xpass" time="0.000" /><testcase classname="tests.test_x" name="test_err" time="0.000"><error message="failed on setup with &quot;RuntimeError: fixture &lt;boom&gt;&quot;">tests/test_x.py:12: in broken
    def broken(): raise RuntimeError("fixture &lt;boom&gt;")
                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
E   RuntimeError: fixture &lt;boom&gt;</error></testcase><testcase classname="tests.test_x" name="test_warn" time="0.000" /><testcase classname="tests.test_x.TestK" name="test_in_class" time="0.000" /><testcase classname="tests.test_x.TestK" name="test_param[1]" time="0.000" /><testcase classname="tests.test_x.TestK" name="test_param[2]" time="0.001"><failure message="assert 2 == 1">tests/test_x.py:19: in test_param
    def test_param(self, v): assert v == 1
                             ^^^^^^^^^^^^^
E   assert 2 == 1</failure></testcase></testsuite></testsuites>`;

const PYTEST_VERBOSE = `============================= test session starts ==============================
platform linux -- Python 3.11.7, pytest-9.0.3, pluggy-1.6.0 -- /opt/pyenv/versions/3.11.7/bin/python3
hypothesis profile 'default'
benchmark: 5.2.3 (defaults: timer=time.perf_counter disable_gc=False min_rounds=5 min_time=0.000005 max_time=1.0 calibration_precision=10 warmup=False warmup_iterations=100000)
rootdir: /tmp/rgs/py
plugins: hypothesis-6.155.2, benchmark-5.2.3
collecting ... collected 11 items

tests/test_x.py::test_ok PASSED                                          [  9%]
tests/test_x.py::test_ok2 PASSED                                         [ 18%]
tests/test_x.py::test_fail FAILED                                        [ 27%]
tests/test_x.py::test_skip SKIPPED (not now)                             [ 36%]
tests/test_x.py::test_xfail XFAIL (known bug)                            [ 45%]
tests/test_x.py::test_xpass XPASS (fixed?)                               [ 54%]
tests/test_x.py::test_err ERROR                                          [ 63%]
tests/test_x.py::test_warn PASSED                                        [ 72%]
tests/test_x.py::TestK::test_in_class PASSED                             [ 81%]
tests/test_x.py::TestK::test_param[1] PASSED                             [ 90%]
tests/test_x.py::TestK::test_param[2] FAILED                             [100%]

==================================== ERRORS ====================================
__________________________ ERROR at setup of test_err __________________________
tests/test_x.py:12: in broken
    def broken(): raise RuntimeError("fixture <boom>")
                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
E   RuntimeError: fixture <boom>
=================================== FAILURES ===================================
__________________________________ test_fail ___________________________________
tests/test_x.py:4: in test_fail
    def test_fail(): assert 1 == 2
                     ^^^^^^^^^^^^^
E   assert 1 == 2
_____________________________ TestK.test_param[2] ______________________________
tests/test_x.py:19: in test_param
    def test_param(self, v): assert v == 1
                             ^^^^^^^^^^^^^
E   assert 2 == 1
=============================== warnings summary ===============================
tests/test_x.py::test_warn
  /tmp/rgs/py/tests/test_x.py:15: DeprecationWarning: deprecated thing
    warnings.warn("deprecated thing", DeprecationWarning)

-- Docs: https://docs.pytest.org/en/stable/how-to/capture-warnings.html
------------------ generated xml file: /tmp/rgs/py/junit.xml -------------------
=========================== short test summary info ============================
FAILED tests/test_x.py::test_fail - assert 1 == 2
FAILED tests/test_x.py::TestK::test_param[2] - assert 2 == 1
ERROR tests/test_x.py::test_err - RuntimeError: fixture <boom>
= 2 failed, 5 passed, 1 skipped, 1 xfailed, 1 xpassed, 1 warning, 1 error in 1.10s =
`;

const PYTEST_QUIET = `..FsxXE...F                                                              [100%]
==================================== ERRORS ====================================
__________________________ ERROR at setup of test_err __________________________

    @pytest.fixture
>   def broken(): raise RuntimeError("fixture <boom>")
                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
E   RuntimeError: fixture <boom>

tests/test_x.py:12: RuntimeError
=================================== FAILURES ===================================
__________________________________ test_fail ___________________________________

>   def test_fail(): assert 1 == 2
                     ^^^^^^^^^^^^^
E   assert 1 == 2

tests/test_x.py:4: AssertionError
_____________________________ TestK.test_param[2] ______________________________

self = <test_x.TestK object at 0x7f1a2b5c65d0>, v = 2

    @pytest.mark.parametrize("v", [1, 2])
>   def test_param(self, v): assert v == 1
                             ^^^^^^^^^^^^^
E   assert 2 == 1

tests/test_x.py:19: AssertionError
=============================== warnings summary ===============================
tests/test_x.py::test_warn
  /tmp/rgs/py/tests/test_x.py:15: DeprecationWarning: deprecated thing
    warnings.warn("deprecated thing", DeprecationWarning)

-- Docs: https://docs.pytest.org/en/stable/how-to/capture-warnings.html
=========================== short test summary info ============================
FAILED tests/test_x.py::test_fail - assert 1 == 2
FAILED tests/test_x.py::TestK::test_param[2] - assert 2 == 1
ERROR tests/test_x.py::test_err - RuntimeError: fixture <boom>
2 failed, 5 passed, 1 skipped, 1 xfailed, 1 xpassed, 1 warning, 1 error in 0.89s
`;

const NODE_JUNIT_ONE_SKIP = `<?xml version="1.0" encoding="utf-8"?>
<testsuites>
	<testcase name="a" time="0.001318" classname="test"/>
	<testcase name="b" time="0.000155" classname="test"/>
	<testcase name="later" time="0.000123" classname="test">
		<skipped type="skipped" message="flaky on CI"/>
	</testcase>
	<!-- tests 3 -->
	<!-- suites 0 -->
	<!-- pass 2 -->
	<!-- fail 0 -->
	<!-- cancelled 0 -->
	<!-- skipped 1 -->
	<!-- todo 0 -->
	<!-- duration_ms 152.022678 -->
</testsuites>
`;

const PYTEST_JUNIT_ONE_SKIP = `<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="0" failures="0" skipped="1" tests="3" time="0.655" timestamp="2026-11-24T02:23:16.918556+00:00" hostname="vm"><testcase classname="tests.test_y" name="test_a" time="0.000" /><testcase classname="tests.test_y" name="test_b" time="0.000" /><testcase classname="tests.test_y" name="test_c" time="0.000"><skipped type="pytest.skip" message="needs redis">/tmp/rgs/py2/tests/test_y.py:4: needs redis</skipped></testcase></testsuite></testsuites>`;

const strict = { allowXfail: false };

describe('parseJUnitXml', () => {
  const table: { name: string; xml: string; expect: Partial<TestReport>; passes: boolean }[] = [
    {
      name: "reads node's junit reporter: loose testcases, nested suite, skip and todo as skipped",
      xml: NODE_JUNIT,
      expect: { total: 7, passed: 2, failed: 2, errors: 0, skipped: 3, xfailed: 0, source: 'junit' },
      passes: false,
    },
    {
      name: "reads pytest's junit: failure, error, skip and xfail (reported as xfailed, not skipped)",
      xml: PYTEST_JUNIT,
      expect: { total: 11, passed: 6, failed: 2, errors: 1, skipped: 1, xfailed: 1 },
      passes: false,
    },
    {
      name: 'fails the criterion on a node report with one skipped test',
      xml: NODE_JUNIT_ONE_SKIP,
      expect: { total: 3, passed: 2, failed: 0, skipped: 1, skippedIds: ['later'] },
      passes: false,
    },
    {
      name: 'fails the criterion on a pytest report with one skipped test',
      xml: PYTEST_JUNIT_ONE_SKIP,
      expect: { total: 3, passed: 2, failed: 0, skipped: 1, skippedIds: ['tests.test_y::test_c'] },
      passes: false,
    },
    {
      name: 'reads a single <testsuite> root with nested suites and an empty <skipped/>',
      xml: `<testsuite name="all"><testsuite name="inner"><testcase classname="a.B" name="ok"/><testcase classname="a.B" name="no"><skipped/></testcase></testsuite><testcase file="x.js" name="boom"><error message="TypeError: x">stack</error></testcase></testsuite>`,
      expect: { total: 3, passed: 1, errors: 1, skipped: 1, failingIds: ['x.js::boom'], skippedIds: ['a.B::no'] },
      passes: false,
    },
    {
      name: 'passes a clean report',
      xml: `<?xml version="1.0"?><testsuites><testsuite name="s" tests="2"><testcase classname="c" name="a"/><testcase classname="c" name="b"/></testsuite></testsuites>`,
      expect: { total: 2, passed: 2, failingIds: [], skippedIds: [] },
      passes: true,
    },
    {
      name: 'falls back to the counts of a report that lists no test cases',
      xml: `<testsuite name="s" tests="4" failures="1" errors="0" skipped="1"></testsuite>`,
      expect: { total: 4, passed: 2, failed: 1, skipped: 1 },
      passes: false,
    },
  ];
  for (const c of table) {
    it(c.name, () => {
      const report = parseJUnitXml(c.xml);
      for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(report[k as keyof TestReport], v, k);
      assert.equal(judgeTestReport(report, strict).passed, c.passes);
    });
  }

  it("gives node's double-escaped names back as written and ids as the suite path", () => {
    const report = parseJUnitXml(NODE_JUNIT);
    assert.deepEqual(report.failingIds.sort(), ['math & <stuff> > fails "badly"', 'throws error']);
    assert.deepEqual(report.cases?.find((c) => c.id === 'math & <stuff> > todo one'), { id: 'math & <stuff> > todo one', status: 'skipped', message: 'todo' });
  });

  it('uses classname::name ids and first-line messages for pytest', () => {
    const report = parseJUnitXml(PYTEST_JUNIT);
    assert.deepEqual(report.failingIds, ['tests.test_x::test_fail', 'tests.test_x::test_err', 'tests.test_x.TestK::test_param[2]']);
    assert.deepEqual(report.cases?.find((c) => c.status === 'error'), {
      id: 'tests.test_x::test_err',
      status: 'error',
      message: 'failed on setup with "RuntimeError: fixture <boom>"',
    });
  });

  const malformed: { name: string; xml: string; error: RegExp }[] = [
    { name: 'an unclosed tag', xml: '<testsuites>\n  <testsuite name="a">\n</testsuites>', error: /Malformed JUnit XML at line 3, column \d+: .*testsuite/ },
    { name: 'text that is not XML', xml: 'pytest crashed', error: /Malformed JUnit XML at line 1/ },
    { name: 'another root element', xml: '<html><body/></html>', error: /expected a <testsuites> or <testsuite> root element, found <html>/ },
  ];
  for (const c of malformed) {
    it(`throws naming what and where on ${c.name}`, () => {
      assert.throws(() => parseJUnitXml(c.xml), c.error);
    });
  }
});

describe('parseTestSummary', () => {
  const table: { name: string; text: string; expect: Partial<TestReport> | null }[] = [
    {
      name: 'pytest -v: counts, warnings, failing ids from FAILED/ERROR lines, skipped ids from verbose lines',
      text: PYTEST_VERBOSE,
      expect: {
        source: 'pytest', total: 11, passed: 5, failed: 2, errors: 1, skipped: 1, xfailed: 1, xpassed: 1, warnings: 1,
        failingIds: ['tests/test_x.py::test_fail', 'tests/test_x.py::test_xpass', 'tests/test_x.py::test_err', 'tests/test_x.py::TestK::test_param[2]'],
        skippedIds: ['tests/test_x.py::test_skip', 'tests/test_x.py::test_xfail'],
      },
    },
    {
      name: 'pytest -q form without the ==== frame',
      text: PYTEST_QUIET,
      expect: { source: 'pytest', total: 11, passed: 5, failed: 2, errors: 1, skipped: 1, xfailed: 1, xpassed: 1 },
    },
    { name: 'pytest -q all green', text: '..........\n10 passed in 0.5s\n', expect: { source: 'pytest', total: 10, passed: 10, skipped: 0 } },
    {
      name: 'catches "2 skipped" (the bash original never did)',
      text: '===== 40 passed, 2 skipped in 12.01s =====',
      expect: { total: 42, passed: 40, skipped: 2 },
    },
    {
      name: 'the frame from the brief, with a duration in minutes',
      text: '==== 3 failed, 10 passed, 2 skipped, 1 xfailed, 1 xpassed, 1 error in 61.23s (0:01:01) ====',
      expect: { total: 18, passed: 10, failed: 3, skipped: 2, xfailed: 1, xpassed: 1, errors: 1 },
    },
    { name: 'pytest that ran nothing', text: '==== no tests ran in 0.01s ====', expect: { source: 'pytest', total: 0 } },
    {
      name: "node's spec reporter: todo counted as skipped, failing names from the failing-tests list",
      text: NODE_SPEC,
      expect: { source: 'node', total: 7, passed: 2, failed: 2, skipped: 3, failingIds: ['fails "badly"', 'throws error'], skippedIds: ['skipped one', 'todo one', 'skip at runtime'] },
    },
    {
      name: "node's TAP reporter: suites are not counted as failing tests",
      text: NODE_TAP,
      expect: { source: 'node', total: 7, passed: 2, failed: 2, skipped: 3, failingIds: ['fails "badly"', 'throws error'] },
    },
    {
      name: 'a plain "N passed, N failed, N skipped" line',
      text: 'Results: 8 passed, 0 failed, 1 skipped',
      expect: { source: 'plain', total: 9, passed: 8, skipped: 1 },
    },
    {
      name: 'lines timestamped by the step log',
      text: '2025-01-01T10:00:00.000Z ============ 1 failed, 4 passed in 0.20s ============\n',
      expect: { source: 'pytest', total: 5, failed: 1 },
    },
    {
      name: 'coloured output',
      text: '\x1b[32m==== \x1b[32m\x1b[1m3 passed\x1b[0m, \x1b[33m1 skipped\x1b[0m\x1b[32m in 0.10s\x1b[0m ====',
      expect: { total: 4, passed: 3, skipped: 1 },
    },
    { name: 'no summary at all', text: 'Traceback (most recent call last):\n  ImportError: no module named x\n', expect: null },
  ];
  for (const c of table) {
    it(`reads ${c.name}`, () => {
      const report = parseTestSummary(c.text);
      const expected = c.expect;
      if (expected === null) return assert.equal(report, null);
      assert.ok(report, 'a summary was found');
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(report[k as keyof TestReport], v, k);
    });
  }

  it('takes the LAST summary when the output holds several runs', () => {
    const text = ['==== 1 failed, 9 passed in 1.00s ====', 'rerun:', 'ℹ tests 3', 'ℹ pass 3', 'ℹ fail 0', 'ℹ skipped 0', 'then', '==== 12 passed in 2.00s ===='].join('\n');
    assert.deepEqual({ ...parseTestSummary(text), cases: undefined }, { ...parseTestSummary('12 passed in 2.00s'), cases: undefined });
    const nodeLast = parseTestSummary(['==== 12 passed in 2.00s ====', 'ℹ tests 3', 'ℹ pass 2', 'ℹ fail 1'].join('\n'));
    assert.equal(nodeLast?.source, 'node');
    assert.equal(nodeLast?.failed, 1);
  });
});

describe('judgeTestReport', () => {
  const base: TestReport = { total: 42, passed: 42, failed: 0, errors: 0, skipped: 0, xfailed: 0, xpassed: 0, failingIds: [], skippedIds: [], source: 'junit' };
  const table: { name: string; report: Partial<TestReport>; policy?: { allowXfail: boolean; failOnWarnings?: boolean }; passed: boolean; detail: string }[] = [
    { name: 'passes 42 green tests', report: {}, passed: true, detail: '42 passed, 0 failed, 0 errors, 0 skipped' },
    {
      name: 'fails on one skipped test and names it',
      report: { total: 42, passed: 41, skipped: 1, skippedIds: ['test_x'] },
      passed: false,
      detail: '41 passed, 0 failed, 0 errors, 1 skipped (test_x)',
    },
    { name: 'fails when no test ran', report: { total: 0, passed: 0 }, passed: false, detail: 'no tests ran (0 passed, 0 failed, 0 errors, 0 skipped)' },
    { name: 'fails on an error', report: { passed: 41, errors: 1 }, passed: false, detail: '41 passed, 0 failed, 1 error, 0 skipped' },
    {
      name: 'counts xfailed as skipped by default',
      report: { passed: 41, xfailed: 1, skippedIds: ['t::x'], cases: [{ id: 't::x', status: 'xfailed' }] },
      passed: false,
      detail: '41 passed, 0 failed, 0 errors, 1 skipped (t::x), 1 xfailed',
    },
    {
      name: 'accepts xfailed when the policy allows it',
      report: { passed: 41, xfailed: 1, skippedIds: ['t::x'], cases: [{ id: 't::x', status: 'xfailed' }] },
      policy: { allowXfail: true },
      passed: true,
      detail: '41 passed, 0 failed, 0 errors, 0 skipped, 1 xfailed (allowed)',
    },
    {
      name: 'counts xpassed as failed even when xfail is allowed',
      report: { passed: 41, xpassed: 1, failingIds: ['t::y'], cases: [{ id: 't::y', status: 'xpassed' }] },
      policy: { allowXfail: true },
      passed: false,
      detail: '41 passed, 1 failed (t::y), 0 errors, 0 skipped, 1 xpassed',
    },
    {
      name: 'fails on warnings only when asked to',
      report: { warnings: 2 },
      policy: { allowXfail: false, failOnWarnings: true },
      passed: false,
      detail: '42 passed, 0 failed, 0 errors, 0 skipped, 2 warnings',
    },
    { name: 'reports warnings without failing by default', report: { warnings: 2 }, passed: true, detail: '42 passed, 0 failed, 0 errors, 0 skipped, 2 warnings' },
  ];
  for (const c of table) {
    it(c.name, () => {
      assert.deepEqual(judgeTestReport({ ...base, ...c.report }, c.policy ?? strict), { passed: c.passed, detail: c.detail });
    });
  }
});

describe('formatFailingTests', () => {
  it('lists one test per line with its status, failures first', () => {
    assert.equal(
      formatFailingTests(parseTestSummary(PYTEST_VERBOSE) as TestReport),
      [
        'FAILED tests/test_x.py::test_fail - assert 1 == 2',
        'FAILED tests/test_x.py::TestK::test_param[2] - assert 2 == 1',
        'ERROR tests/test_x.py::test_err - RuntimeError: fixture <boom>',
        'XPASS tests/test_x.py::test_xpass',
        'SKIPPED tests/test_x.py::test_skip',
        'XFAIL tests/test_x.py::test_xfail',
        '',
      ].join('\n'),
    );
  });

  it('leaves allowed xfails out and says how many failures the output did not name', () => {
    const report = parseTestSummary('FAILED tests/a.py::test_a - boom\n=== 2 failed, 1 xfailed, 3 passed in 1s ===') as TestReport;
    assert.equal(formatFailingTests(report, { allowXfail: true }), 'FAILED tests/a.py::test_a - boom\n(1 more failing test not named in the output)\n');
  });

  it('is empty for a clean report', () => {
    assert.equal(formatFailingTests(parseJUnitXml('<testsuite><testcase name="a"/></testsuite>')), '');
  });
});

// pytest 9.0.3 -v -rfEsxX --junitxml: a fixture whose teardown raises under a passing, a
// failing and a skipped test, a clean test and a non-strict XPASS (tests/test_t.py).
const PYTEST_TEARDOWN_OUTPUT = String.raw`============================= test session starts ==============================
platform linux -- Python 3.11.7, pytest-9.0.3, pluggy-1.6.0 -- /opt/pyenv/versions/3.11.7/bin/python
hypothesis profile 'default'
benchmark: 5.2.3 (defaults: timer=time.perf_counter disable_gc=False min_rounds=5 min_time=0.000005 max_time=1.0 calibration_precision=10 warmup=False warmup_iterations=100000)
rootdir: /tmp/rgs/td
plugins: hypothesis-6.155.2, benchmark-5.2.3
collecting ... collected 5 items

tests/test_t.py::test_a PASSED                                           [ 20%]
tests/test_t.py::test_a ERROR                                            [ 20%]
tests/test_t.py::test_b FAILED                                           [ 40%]
tests/test_t.py::test_b ERROR                                            [ 40%]
tests/test_t.py::test_c SKIPPED (not now)                                [ 60%]
tests/test_t.py::test_c ERROR                                            [ 60%]
tests/test_t.py::test_d PASSED                                           [ 80%]
tests/test_t.py::test_xpass XPASS (known)                                [100%]

==================================== ERRORS ====================================
_________________________ ERROR at teardown of test_a __________________________

    @pytest.fixture
    def broken_teardown():
        yield
>       raise RuntimeError("teardown <boom>")
E       RuntimeError: teardown <boom>

tests/test_t.py:6: RuntimeError
_________________________ ERROR at teardown of test_b __________________________

    @pytest.fixture
    def broken_teardown():
        yield
>       raise RuntimeError("teardown <boom>")
E       RuntimeError: teardown <boom>

tests/test_t.py:6: RuntimeError
_________________________ ERROR at teardown of test_c __________________________

    @pytest.fixture
    def broken_teardown():
        yield
>       raise RuntimeError("teardown <boom>")
E       RuntimeError: teardown <boom>

tests/test_t.py:6: RuntimeError
=================================== FAILURES ===================================
____________________________________ test_b ____________________________________

broken_teardown = None

    def test_b(broken_teardown):
>       assert 1 == 2, "multi\nline"
E       AssertionError: multi
E         line
E       assert 1 == 2

tests/test_t.py:12: AssertionError
=================================== XPASSES ====================================
------------------- generated xml file: /tmp/rgs/td/report.xml --------------------
=========================== short test summary info ============================
FAILED tests/test_t.py::test_b - AssertionError: multi
ERROR tests/test_t.py::test_a - RuntimeError: teardown <boom>
ERROR tests/test_t.py::test_b - RuntimeError: teardown <boom>
ERROR tests/test_t.py::test_c - RuntimeError: teardown <boom>
SKIPPED [1] tests/test_t.py:15: not now
XPASS tests/test_t.py::test_xpass - known
========= 1 failed, 2 passed, 1 skipped, 1 xpassed, 3 errors in 1.14s ==========
`;

const PYTEST_TEARDOWN_JUNIT = String.raw`<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="3" failures="1" skipped="1" tests="7" time="1.143" timestamp="2026-12-01T21:33:14+00:00" hostname="vm"><testcase classname="tests.test_t" name="test_a" time="0.001"><error message="failed on teardown with &quot;RuntimeError: teardown &lt;boom&gt;&quot;">@pytest.fixture
    def broken_teardown():
        yield
&gt;       raise RuntimeError("teardown &lt;boom&gt;")
E       RuntimeError: teardown &lt;boom&gt;

tests/test_t.py:6: RuntimeError</error></testcase><testcase classname="tests.test_t" name="test_b" time="0.001"><failure message="AssertionError: multi&#10;  line&#10;assert 1 == 2">broken_teardown = None

    def test_b(broken_teardown):
&gt;       assert 1 == 2, "multi\nline"
E       AssertionError: multi
E         line
E       assert 1 == 2

tests/test_t.py:12: AssertionError</failure></testcase><testcase classname="tests.test_t" name="test_b" time="0.000"><error message="failed on teardown with &quot;RuntimeError: teardown &lt;boom&gt;&quot;">@pytest.fixture
    def broken_teardown():
        yield
&gt;       raise RuntimeError("teardown &lt;boom&gt;")
E       RuntimeError: teardown &lt;boom&gt;

tests/test_t.py:6: RuntimeError</error></testcase><testcase classname="tests.test_t" name="test_c" time="0.001"><skipped type="pytest.skip" message="not now">/tmp/rgs/td/tests/test_t.py:15: not now</skipped><error message="failed on teardown with &quot;RuntimeError: teardown &lt;boom&gt;&quot;">@pytest.fixture
    def broken_teardown():
        yield
&gt;       raise RuntimeError("teardown &lt;boom&gt;")
E       RuntimeError: teardown &lt;boom&gt;

tests/test_t.py:6: RuntimeError</error></testcase><testcase classname="tests.test_t" name="test_d" time="0.000" /><testcase classname="tests.test_t" name="test_xpass" time="0.000" /></testsuite></testsuites>`;

describe('JUnit and summary counts agree', () => {
  it("counts teardown errors as pytest's summary does, the skip included", () => {
    const report = parseJUnitXml(PYTEST_TEARDOWN_JUNIT);
    // pytest: 1 failed, 2 passed, 1 skipped, 1 xpassed, 3 errors; JUnit writes the XPASS as a pass.
    assert.deepEqual(
      { passed: report.passed, failed: report.failed, errors: report.errors, skipped: report.skipped, xpassed: report.xpassed },
      { passed: 3, failed: 1, errors: 3, skipped: 1, xpassed: 0 },
    );
    assert.deepEqual(report.failingIds, ['tests.test_t::test_a', 'tests.test_t::test_b', 'tests.test_t::test_b', 'tests.test_t::test_c']);
    assert.deepEqual(report.skippedIds, ['tests.test_t::test_c']);
  });

  it('takes the counts from the summary line and the names and messages from the JUnit report', () => {
    const summary = parseTestSummary(PYTEST_TEARDOWN_OUTPUT);
    const report = combineTestReports(parseJUnitXml(PYTEST_TEARDOWN_JUNIT), summary);
    assert.ok(summary && report);
    for (const k of ['total', 'passed', 'failed', 'errors', 'skipped', 'xfailed', 'xpassed'] as const) assert.equal(report[k], summary[k], k);
    assert.equal(report.passed, 2);
    assert.equal(report.xpassed, 1);
    assert.equal(report.countsFrom, 'summary');
    assert.equal(judgeTestReport(report, { allowXfail: true }).detail, '2 passed, 2 failed (tests.test_t::test_b, tests/test_t.py::test_xpass), 3 errors (tests.test_t::test_a, tests.test_t::test_b, tests.test_t::test_c), 1 skipped (tests.test_t::test_c), 1 xpassed');
  });

  it('keeps a lone report as it is', () => {
    const junit = parseJUnitXml(PYTEST_TEARDOWN_JUNIT);
    assert.equal(combineTestReports(junit, null), junit);
    const summary = parseTestSummary(PYTEST_TEARDOWN_OUTPUT);
    assert.equal(combineTestReports(null, summary), summary);
    assert.equal(combineTestReports(null, null), null);
  });

  it('writes messages with their entities decoded in the failing-tests file', () => {
    const text = formatFailingTests(combineTestReports(parseJUnitXml(PYTEST_TEARDOWN_JUNIT), parseTestSummary(PYTEST_TEARDOWN_OUTPUT)) as TestReport);
    assert.equal(
      text,
      [
        'FAILED tests.test_t::test_b - AssertionError: multi',
        'ERROR tests.test_t::test_a - failed on teardown with "RuntimeError: teardown <boom>"',
        'ERROR tests.test_t::test_b - failed on teardown with "RuntimeError: teardown <boom>"',
        'ERROR tests.test_t::test_c - failed on teardown with "RuntimeError: teardown <boom>"',
        'XPASS tests/test_t.py::test_xpass - known',
        'SKIPPED tests.test_t::test_c - not now',
        '',
      ].join('\n'),
    );
    assert.doesNotMatch(text, /&#\d+;|&(?:lt|gt|quot|amp);/);
  });

  it('decodes numeric character references in a message without a first line of its own', () => {
    const report = parseJUnitXml('<testsuite><testcase classname="c" name="t"><failure message="&#10;&#32;&#32;assert &#x27;a&#x27; == &#39;b&#39;&#10;more">tb</failure></testcase></testsuite>');
    assert.deepEqual(report.cases, [{ id: 'c::t', status: 'failed', message: "assert 'a' == 'b'" }]);
  });
});

describe('retried and deselected tests are not clean passes', () => {
  const junit = (inner: string) => `<?xml version="1.0"?><testsuites><testsuite name="s"><testcase classname="c" name="clean"/>${inner}</testsuite></testsuites>`;
  const retryCases: { name: string; xml: string; retried: number; failed: number; passed: number }[] = [
    { name: 'Surefire flakyFailure', xml: junit('<testcase classname="c" name="t"><flakyFailure message="boom">trace</flakyFailure></testcase>'), retried: 1, failed: 0, passed: 2 },
    { name: 'Surefire flakyError', xml: junit('<testcase classname="c" name="t"><flakyError message="io"/></testcase>'), retried: 1, failed: 0, passed: 2 },
    { name: 'Gradle rerunFailure', xml: junit('<testcase classname="c" name="t"><rerunFailure message="x"/><rerunFailure message="y"/></testcase>'), retried: 1, failed: 0, passed: 2 },
    { name: 'rerunError', xml: junit('<testcase classname="c" name="t"><rerunError message="x"/></testcase>'), retried: 1, failed: 0, passed: 2 },
    // Failed on every rerun: a failure, not a retry.
    { name: 'a failure after reruns', xml: junit('<testcase classname="c" name="t"><failure message="f"/><rerunFailure message="x"/></testcase>'), retried: 0, failed: 1, passed: 1 },
  ];
  for (const c of retryCases) {
    it(`counts ${c.name} as ${c.retried ? 'retried' : 'failed'}`, () => {
      const report = parseJUnitXml(c.xml);
      assert.equal(report.retried, c.retried);
      assert.equal(report.failed, c.failed);
      assert.equal(report.passed, c.passed);
      if (c.retried) assert.deepEqual(report.retriedIds, ['c::t']);
    });
  }

  const summaries: { text: string; retried: number; deselected: number; passed: number }[] = [
    { text: '==== 3 passed, 1 rerun in 0.50s ====', retried: 1, deselected: 0, passed: 3 },
    { text: '==== 3 passed, 2 deselected in 0.50s ====', retried: 0, deselected: 2, passed: 3 },
    { text: '=== 4 passed, 2 deselected, 3 rerun in 1.20s ===', retried: 3, deselected: 2, passed: 4 },
  ];
  for (const c of summaries) {
    it(`reads "${c.text}"`, () => {
      const report = parseTestSummary(c.text) as TestReport;
      assert.equal(report.retried, c.retried);
      assert.equal(report.deselected, c.deselected);
      assert.equal(report.passed, c.passed);
      assert.equal(report.total, c.passed);
    });
  }

  it('names a pytest test reported RERUN before it passed', () => {
    const report = parseTestSummary(['tests/t.py::test_flaky RERUN [ 50%]', 'tests/t.py::test_flaky PASSED [ 50%]', 'tests/t.py::test_ok PASSED [100%]', '==== 2 passed, 1 rerun in 0.10s ===='].join('\n')) as TestReport;
    assert.deepEqual(report.retriedIds, ['tests/t.py::test_flaky']);
  });

  const verdicts: { name: string; report: Partial<TestReport>; policy: { allowRetries?: string; allowDeselected?: string }; passed: boolean; detail: RegExp }[] = [
    { name: 'a retry fails by default, naming the test', report: { retried: 1, retriedIds: ['c::t'] }, policy: {}, passed: false, detail: /1 retried \(c::t\)$/ },
    { name: 'an accepted retry passes and says why', report: { retried: 1, retriedIds: ['c::t'] }, policy: { allowRetries: 'known flake #12' }, passed: true, detail: /1 retried \(c::t\) \(accepted: known flake #12\)/ },
    { name: 'a deselection fails by default', report: { deselected: 2 }, policy: {}, passed: false, detail: /2 deselected$/ },
    { name: 'an accepted deselection passes', report: { deselected: 2 }, policy: { allowDeselected: 'slow suite runs nightly' }, passed: true, detail: /2 deselected \(accepted: slow suite runs nightly\)/ },
    { name: 'a retry accepted does not accept a deselection', report: { retried: 1, deselected: 1 }, policy: { allowRetries: 'x' }, passed: false, detail: /1 deselected$/ },
  ];
  for (const c of verdicts) {
    it(c.name, () => {
      const report: TestReport = { total: 3, passed: 3, failed: 0, errors: 0, skipped: 0, xfailed: 0, xpassed: 0, failingIds: [], skippedIds: [], source: 'junit', ...c.report };
      const verdict = judgeTestReport(report, { allowXfail: false, ...c.policy });
      assert.equal(verdict.passed, c.passed, verdict.detail);
      assert.match(verdict.detail, c.detail);
    });
  }

  it('lists retried tests in the failing-tests file unless accepted', () => {
    const report = parseJUnitXml(junit('<testcase classname="c" name="t"><flakyFailure message="boom"/></testcase>'));
    assert.equal(formatFailingTests(report), 'RERUN c::t - boom\n');
    assert.equal(formatFailingTests(report, { allowXfail: false, allowRetries: 'ok' }), '');
  });

  it('keeps the retries of the JUnit report when the summary line gives the counts', () => {
    const combined = combineTestReports(parseJUnitXml(junit('<testcase classname="c" name="t"><flakyFailure/></testcase>')), parseTestSummary('== 2 passed, 1 deselected in 0.1s ==')) as TestReport;
    assert.equal(combined.retried, 1);
    assert.deepEqual(combined.retriedIds, ['c::t']);
    assert.equal(combined.deselected, 1);
  });
});
