import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { checkOutput, outputExpectationSchema, type OutputExpectation } from './output-expectation.js';

// The shape of Korrigo's 11_db_sanity.log.
const SANITY = `users: 14
exams: 1
copies total: 4
copies READY: 3
READY 5 X-10: booklets=1, pages=4
READY 6 X-11: booklets=1, pages=4
READY 7 X-12: booklets=1, pages=0
`;
const pages: OutputExpectation = { eachMatch: 'pages=(\\d+)', greaterThan: 0, atLeast: 1 };

describe('checkOutput', () => {
  const table: { name: string; input: string | string[]; exp: OutputExpectation; passed: boolean; detail: string; failures?: number }[] = [
    {
      name: 'passes when every matching line has a value above the bound',
      input: SANITY.replace('pages=0', 'pages=2'),
      exp: pages,
      passed: true,
      detail: '3 lines match pages=(\\d+), all > 0',
    },
    {
      name: 'fails on the READY copy with 0 pages, quoting its line',
      input: SANITY,
      exp: pages,
      passed: false,
      detail: 'READY 7 X-12: booklets=1, pages=0 → 0 is not > 0',
      failures: 1,
    },
    {
      name: 'fails when no line matches (atLeast defaults to 1)',
      input: 'users: 14\ncopies READY: 0\n',
      exp: { eachMatch: 'pages=(\\d+)', greaterThan: 0 },
      passed: false,
      detail: '0 lines match pages=(\\d+), expected at least 1',
    },
    {
      name: 'counts and reports every failure',
      input: ['pages=0', 'pages=0', 'pages=3'],
      exp: { ...pages, atLeast: 4 },
      passed: false,
      detail: 'pages=0 → 0 is not > 0 (+2 more)',
      failures: 3,
    },
    {
      name: 'uses a named group `value` when present',
      input: 'a=1 pending=0\n',
      exp: { eachMatch: 'a=(\\d+) pending=(?<value>\\d+)', equals: 0 },
      passed: true,
      detail: '1 line match a=(\\d+) pending=(?<value>\\d+), all = 0',
    },
    {
      name: 'flags a captured value that is not a number',
      input: 'pages=none\n',
      exp: { eachMatch: 'pages=(\\w+)', greaterThan: 0 },
      passed: false,
      detail: 'pages=none → "none" is not a number',
    },
    {
      name: 'checks contains and notContains',
      input: SANITY,
      exp: { contains: ['copies READY: 3', 'users:'], notContains: ['Traceback'] },
      passed: true,
      detail: 'contains "copies READY: 3", "users:"; does not contain "Traceback"',
    },
    {
      name: 'fails on a forbidden substring, naming the line',
      input: SANITY,
      exp: { notContains: ['X-12'] },
      passed: false,
      detail: 'output contains "X-12" (line 7: READY 7 X-12: booklets=1, pages=0)',
    },
    {
      name: 'checks matches as a multiline regex',
      input: SANITY,
      exp: { matches: '^copies READY: [1-9]\\d*$' },
      passed: true,
      detail: 'matches ^copies READY: [1-9]\\d*$',
    },
    {
      name: 'fails a missing match',
      input: SANITY,
      exp: { matches: '^E2E: 3/3 RUNS PASSED$' },
      passed: false,
      detail: 'output does not match ^E2E: 3/3 RUNS PASSED$',
    },
    {
      name: 'fails on notMatches',
      input: SANITY,
      exp: { notMatches: 'pages=0\\b' },
      passed: false,
      detail: 'output matches pages=0\\b ("pages=0")',
    },
  ];
  for (const c of table) {
    it(c.name, () => {
      const result = checkOutput(c.input, c.exp);
      assert.equal(result.detail, c.detail);
      assert.equal(result.passed, c.passed);
      assert.equal(result.failures.length, c.failures ?? (c.passed ? 0 : 1));
    });
  }

  it('throws a clear error on an invalid regex that bypassed the schema', () => {
    assert.throws(() => checkOutput('x', { eachMatch: '(' }), /Output expectation eachMatch: invalid regular expression "\("/);
  });
});

describe('outputExpectationSchema', () => {
  const table: { name: string; input: unknown; ok: boolean; message?: RegExp }[] = [
    { name: 'accepts the Korrigo pages expectation', input: { eachMatch: 'pages=(\\d+)', greaterThan: 0, atLeast: 1 }, ok: true },
    { name: 'accepts contains/notContains', input: { contains: ['ok'], notContains: ['Traceback'] }, ok: true },
    { name: 'rejects an invalid regex, naming it', input: { eachMatch: 'pages=(\\d+' }, ok: false, message: /invalid regular expression "pages=\(\\d\+": Invalid regular expression/ },
    { name: 'rejects a bound without eachMatch', input: { greaterThan: 0 }, ok: false, message: /need eachMatch/ },
    { name: 'rejects a numeric bound on a regex without a group', input: { eachMatch: 'pages=\\d+', greaterThan: 0 }, ok: false, message: /has no capture group/ },
    { name: 'rejects an unknown field (typo)', input: { eachMatches: 'x' }, ok: false, message: /eachMatches/ },
    { name: 'rejects an empty expectation', input: {}, ok: false, message: /at least one assertion/ },
  ];
  for (const c of table) {
    it(c.name, () => {
      const result = outputExpectationSchema.safeParse(c.input);
      assert.equal(result.success, c.ok);
      if (!result.success && c.message) assert.match(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'), c.message);
    });
  }

  it('describes its fields for the JSON Schema', () => {
    assert.ok(outputExpectationSchema.shape.eachMatch.description?.includes('capture group'));
    assert.ok(outputExpectationSchema.shape.greaterThan.description);
  });
});
