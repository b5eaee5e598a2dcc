import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertEveryMutationFails } from './criterion.fixture.js';
import { restoreCriterion } from './restore-criterion.js';

describe('restore criterion: mutations', () => {
  const probe = { output: 'users: 14\npages: 6\nfingerprint: 9f2c', exitCode: 0 };
  const healthy = { backupExit: 0, restoreExit: 0, live: probe, restored: probe, restoreMs: 1200 };

  it('changes one line of the restored output, which the judge then fails', () => {
    assert.deepEqual(assertEveryMutationFails('restore', restoreCriterion, healthy), ['one line of the restored probe output changed']);
  });

  it('with an rto, also puts the restore time over it', () => {
    assert.deepEqual(assertEveryMutationFails('restore', restoreCriterion, { ...healthy, rtoMs: 60_000 }), [
      'one line of the restored probe output changed',
      'the restore took longer than the rto',
    ]);
  });

  it('with the copy probed before the restore, also makes that probe read the live data', () => {
    const before = { output: 'schema "copy" does not exist', exitCode: 1 };
    assert.deepEqual(assertEveryMutationFails('restore', restoreCriterion, { ...healthy, beforeRestore: before }), [
      'one line of the restored probe output changed',
      'the restored probe read the live data before the restore',
    ]);
  });
});
