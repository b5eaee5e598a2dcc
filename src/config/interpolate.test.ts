import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigIssue } from '../common/errors.js';
import { interpolateString } from './interpolate.js';

const env = { SET: 'value', EMPTY: '', PORT: '9000' };

describe('interpolateString', () => {
  const cases: [string, string][] = [
    ['${SET}', 'value'],
    ['${UNSET:-}', ''],
    ['${EMPTY}', ''],
    ['${UNSET:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['${UNSET-fallback}', 'fallback'],
    ['${SET:-fallback}', 'value'],
    ['a-${SET}-b', 'a-value-b'],
    ['$${SET}', '${SET}'],
    ['cost: $$5', 'cost: $5'],
    ['${NGINX:-http://127.0.0.1:${PORT:-8088}}', 'http://127.0.0.1:9000'],
    ['${NGINX:-http://127.0.0.1:${NOPE:-8088}}', 'http://127.0.0.1:8088'],
    ['plain text', 'plain text'],
    // A default is evaluated only when used: an unset variable inside an unused one is fine.
    ['${SET:-${UNSET}}', 'value'],
    ['${SET-${UNSET}}', 'value'],
    ['${UNSET:-${SET}}', 'value'],
    ['$HOME stays literal', '$HOME stays literal'],
    ['$$$${SET}', '$${SET}'],
  ];
  for (const [input, expected] of cases) {
    it(`turns ${JSON.stringify(input)} into ${JSON.stringify(expected)}`, () => {
      const issues: ConfigIssue[] = [];
      assert.equal(interpolateString(input, env, 'x', issues), expected);
      assert.deepEqual(issues, []);
    });
  }

  const unset: [string, string[]][] = [
    ['${UNSET}', ['UNSET']],
    ['a ${ONE} and ${TWO}', ['ONE', 'TWO']],
    ['${UNSET:-${INNER}}', ['INNER']],
    ['${EMPTY:-${INNER}}', ['INNER']],
    ['$$${UNSET}', ['UNSET']],
  ];
  for (const [input, names] of unset) {
    it(`refuses the unset variable(s) ${names.join(', ')} in ${JSON.stringify(input)}, naming each and the place`, () => {
      const issues: ConfigIssue[] = [];
      interpolateString(input, env, 'stack.services.db.dataDirs[0]', issues);
      assert.deepEqual(
        issues.map((i) => [i.where, /^environment variable (\w+) is not set; set it, or write \$\{\1:-\} for an explicitly empty value/.exec(i.message)?.[1]]),
        names.map((name) => ['stack.services.db.dataDirs[0]', name]),
      );
    });
  }

  it('turns an unset variable into "" in a provisional load, and says so', () => {
    const issues: ConfigIssue[] = [];
    const seen: string[] = [];
    assert.equal(interpolateString('x${UNSET}y', env, 'x', issues, { unset: 'empty', onUnset: (name) => seen.push(name) }), 'xy');
    assert.deepEqual([issues, seen], [[], ['UNSET']]);
  });

  const invalid = ['${X', '${1}', '${HOME#/}', '${}', '${X:-unclosed'];
  for (const input of invalid) {
    it(`refuses the unknown form ${JSON.stringify(input)}`, () => {
      const issues: ConfigIssue[] = [];
      assert.equal(interpolateString(input, env, 'x', issues), input);
      assert.equal(issues.length, 1);
      assert.match(issues[0]?.message ?? '', /^invalid interpolation "\$\{/);
    });
  }

  it('reports a required variable that is missing, naming it and where', () => {
    const issues: ConfigIssue[] = [];
    interpolateString('${TOKEN:?set the metrics token}', env, 'env.METRICS', issues);
    assert.deepEqual(issues, [{ where: 'env.METRICS', message: 'environment variable TOKEN is required: set the metrics token' }]);
  });
});
