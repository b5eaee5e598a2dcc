import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigIssue } from '../common/errors.js';
import { interpolateString } from './interpolate.js';

const env = { SET: 'value', EMPTY: '', PORT: '9000' };

describe('interpolateString', () => {
  const cases: [string, string][] = [
    ['${SET}', 'value'],
    ['${UNSET}', ''],
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
  ];
  for (const [input, expected] of cases) {
    it(`turns ${JSON.stringify(input)} into ${JSON.stringify(expected)}`, () => {
      const issues: ConfigIssue[] = [];
      assert.equal(interpolateString(input, env, 'x', issues), expected);
      assert.deepEqual(issues, []);
    });
  }

  it('reports a required variable that is missing, naming it and where', () => {
    const issues: ConfigIssue[] = [];
    interpolateString('${TOKEN:?set the metrics token}', env, 'env.METRICS', issues);
    assert.deepEqual(issues, [{ where: 'env.METRICS', message: 'environment variable TOKEN is required: set the metrics token' }]);
  });
});
