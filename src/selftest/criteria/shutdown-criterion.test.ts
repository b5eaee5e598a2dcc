import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertEveryMutationFails } from './criterion.fixture.js';
import { shutdownCriterion } from './shutdown-criterion.js';

describe('shutdown criterion: mutations', () => {
  it('kills after its grace, then fails the exit of, the first long-running service that was running (not the one-shot job before it)', () => {
    const labels = assertEveryMutationFails('shutdown', shutdownCriterion, {
      stops: [
        { service: 'migrate', signal: 'SIGTERM', graceMs: 10_000, running: false, exitCode: 0, stopMs: 0, killed: false, oneShot: true },
        { service: 'backend', signal: 'SIGTERM', graceMs: 5000, running: true, exitCode: 0, stopMs: 120, killed: false },
        { service: 'db', signal: 'SIGINT', graceMs: 10_000, running: true, exitCode: 0, stopMs: 300, killed: false },
      ],
    });
    assert.deepEqual(labels, ['service backend ignored SIGTERM: killed after its grace (exit 137)', 'service backend exited 1 on SIGTERM']);
  });

  it('has no mutation when nothing was running at the stop (such evidence is never recorded as a pass)', () => {
    const plan = shutdownCriterion.mutations({ stops: [] }, { judge: 'shutdown', input: { stops: [] }, passed: false, detail: '' }, 'shutdown');
    assert.deepEqual(plan, { none: 'no long-running service was running at the stop' });
  });
});
