import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UPGRADE_STAGES } from '../../checks/upgrade-verdict.js';
import { assertEveryMutationFails } from './criterion.fixture.js';
import { upgradeCriterion } from './upgrade-criterion.js';

describe('upgrade criterion: mutations', () => {
  it('fails the migrate, loses a row, fails the reads and rewrites on a second migrate: the judge fails each', () => {
    const fingerprint = 'users: 14\ncopies: 5\nfingerprint: 2f1c';
    const healthy = { stages: UPGRADE_STAGES.map((name) => ({ name, exitCode: 0 })), probes: { before: fingerprint, after: fingerprint, again: fingerprint } };
    assert.deepEqual(assertEveryMutationFails('upgrade', upgradeCriterion, healthy), [
      "the candidate's migrate exits 1 on the previous release's data",
      'the fingerprint changed after the upgrade (a row lost)',
      'the E2E reads failed on the old data',
      'a second migrate changed the data',
    ]);
  });
});
