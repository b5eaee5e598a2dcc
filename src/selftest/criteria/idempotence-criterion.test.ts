import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertEveryMutationFails } from './criterion.fixture.js';
import { idempotenceCriterion } from './idempotence-criterion.js';

describe('idempotence criterion: mutations', () => {
  it('changes the second probe output, which the judge then fails', () => {
    const probe = { output: 'users=3\nitems=12', exitCode: 0 };
    assert.deepEqual(assertEveryMutationFails('idempotence', idempotenceCriterion, { before: probe, after: probe }), ['the second probe output changed (one line added)']);
  });
});
