import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertEveryMutationFails } from './criterion.fixture.js';
import { bootCriterion } from './boot-criterion.js';

describe('boot criterion: mutations', () => {
  it('exits, then restarts, the first long-running service (not the one-shot job before it)', () => {
    const labels = assertEveryMutationFails('boot', bootCriterion, {
      services: [
        { name: 'migrate', state: 'exited', health: 'none', exitCode: 0, oneShot: true, restarts: 0 },
        { name: 'backend', state: 'running', health: 'healthy', exitCode: null, restarts: 0 },
      ],
      expected: 2,
    });
    assert.deepEqual(labels, ['service backend not ready (exited 1)', 'service backend restarted once before the check']);
  });
});
