import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertEveryMutationFails } from './criterion.fixture.js';
import { resourcesCriterion } from './resources-criterion.js';

describe('resources criterion: mutations', () => {
  it('pushes the first budgeted service past each budget, or out of the samples, which the judge then fails', () => {
    const services = [
      { service: 'backend', samples: 12, memory: { peakBytes: 300e6, meanBytes: 250e6 }, cpu: { peakPercent: 90, meanPercent: 20 } },
      { service: 'db', samples: 12, memory: { peakBytes: 80e6, meanBytes: 70e6 }, cpu: { peakPercent: 10, meanPercent: 2 } },
    ];
    const labels = assertEveryMutationFails('resources', resourcesCriterion, { services, budgets: { backend: { memoryBytes: 512e6, cpuPercent: 150 } } });
    assert.deepEqual(labels, ['backend peaked one byte over its memory budget', 'backend used 1% more CPU on average than its budget', 'backend was never sampled']);
  });
});
