import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import type { RunResult } from '../model/run-result.js';
import { jsonReporter } from './json-reporter.js';
import { sampleRunResult } from './sample-run-result.fixture.js';

describe('JsonReporter', () => {
  it('round-trips the run result', () => {
    const result = sampleRunResult();
    assert.deepEqual(JSON.parse(jsonReporter.render(result)) as RunResult, result);
  });

  it('is stable: the same result with keys in another order renders byte for byte the same', () => {
    const result = sampleRunResult();
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reverseKeys) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)])) : v;
    const reversed = reverseKeys(result) as RunResult;
    assert.notEqual(JSON.stringify(reversed), JSON.stringify(result));
    assert.equal(jsonReporter.render(reversed), jsonReporter.render(result));
  });

  it('puts the verdict first-screen and sorts counts', () => {
    const text = jsonReporter.render(sampleRunResult());
    const keys = Object.keys(JSON.parse(text) as object);
    assert.deepEqual(keys.slice(0, 5), ['tool', 'config', 'logDir', 'verdict', 'stoppedAt']);
    assert.deepEqual(Object.keys((JSON.parse(text) as RunResult).counts), ['e2e.runs', 'tests.passed', 'tests.skipped']);
    assert.ok(text.endsWith('}\n'));
  });
});
