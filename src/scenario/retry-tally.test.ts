import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RetryTally } from './retry-tally.js';
import type { StepConfig } from './scenario-schema.js';

const step = (name: string, allowRetries?: string) => ({ name, ...(allowRetries ? { allowRetries } : {}) }) as unknown as StepConfig;

describe('scenario retries, counted per step', () => {
  const rows: { name: string; passes: [StepConfig, number][]; describe: string; unaccepted: string[]; deviations: string[] }[] = [
    { name: 'nothing when every step passed at once', passes: [[step('login'), 1], [step('list'), 1]], describe: '', unaccepted: [], deviations: [] },
    {
      name: 'each step with how many of its executions needed a retry',
      passes: [[step('login'), 2], [step('list'), 2], [step('list'), 1], [step('list'), 3]],
      describe: '2 steps passed only after a retry: login ×1, list ×2',
      unaccepted: ['login', 'list'],
      deviations: [],
    },
    {
      name: 'an accepted step is named with its reason and becomes a deviation, never silent',
      passes: [[step('login', 'SSO warms up'), 2], [step('list'), 2]],
      describe: '2 steps passed only after a retry: login ×1 (accepted: SSO warms up), list ×1',
      unaccepted: ['list'],
      deviations: ['12_e2e: login passed only after a retry ×1 (accepted: SSO warms up)'],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const tally = new RetryTally();
      for (const [s, attempts] of row.passes) tally.record(s, attempts);
      assert.equal(tally.describe(), row.describe);
      assert.deepEqual(tally.unaccepted().map((r) => r.step), row.unaccepted);
      assert.deepEqual(tally.deviations('12_e2e'), row.deviations);
    });
  }

  it('sums the attempts beyond the first', () => {
    const tally = new RetryTally();
    tally.record(step('list'), 2);
    tally.record(step('list'), 4);
    assert.deepEqual(tally.list(), [{ step: 'list', times: 2, retries: 4 }]);
  });
});
