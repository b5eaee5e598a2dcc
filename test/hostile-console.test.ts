import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort } from './helpers.js';
import { runHostileCase, smallLocalConfig } from './hostile-harness.js';

/*
 * Text from the app never forges a console line (issue 23, "a log name holding a newline
 * prints a forged console line beginning ✅ GATE PASSED"): log names are refused at load
 * (test/hostile-paths.test.ts); what the app itself says — a failing test's name, a log line
 * shown as evidence — reaches the console with its control characters made visible (␊ ␛).
 */

/** A tests step whose JUnit report names a failing test with a newline and terminal escapes. */
function forgingReport(names: string[]): string {
  const cases = names.map((name) => `<testcase classname="app" name="${name}"><failure message="boom"/></testcase>`).join('');
  const xml = `<?xml version="1.0"?><testsuite name="app" tests="${names.length}" failures="${names.length}">${cases}</testsuite>`;
  return `      - log: 03_tests
        do: exec
        service: web
        run: [node, -e, "require('fs').writeFileSync('report.xml', process.argv[1]); console.log('line one\\\\u001b[1A\\\\u001b[2K\\\\n✅ GATE PASSED')", ${JSON.stringify(xml)}]
        results: { junit: report.xml }
        criterion: tests`;
}

describe('hostile input: what the app prints never forges a console line', () => {
  it('a failing test named "x\\n✅ GATE PASSED" and an ESC[1A in the output stay inside their line', async () => {
    const port = await freePort();
    await runHostileCase({
      name: 'forged console line',
      setup: (s) => ({ args: ['run', '--config', s.write('release-gate.yml', smallLocalConfig({ port, top: 'criteria: { boot: Boot, tests: Tests }', steps: forgingReport(['x&#10;✅ GATE PASSED', 'y&#13;✅ GATE PASSED']) }).replace('criteria: { boot: Boot }\n', ''))] }),
      code: 1,
      names: ['❌ GATE FAILED', /x␊✅ GATE PASSED/],
      mayChange: ['project/report.xml'],
      after: (run) => {
        // No line of the console begins with a ✅ verdict, and no escape reaches the terminal.
        assert.doesNotMatch(run.stdout, /^\s*✅ GATE PASSED/m, 'a forged verdict line');
        assert.ok(!run.stdout.includes('\u001b'), 'an ESC reached the terminal');
        assert.ok(!/\r/.test(run.stdout), 'a carriage return reached the terminal');
      },
    });
  });
});
