import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { compareProbeOutputs } from './idempotence-diff.js';

describe('compareProbeOutputs', () => {
  const table: { name: string; before: string; after: string; same: boolean }[] = [
    { name: 'identical outputs are the same', before: 'users: 14\ncopies: 4\n', after: 'users: 14\ncopies: 4\n', same: true },
    { name: 'trailing whitespace and CRLF are forgiven', before: 'users: 14  \r\ncopies: 4\n\n', after: 'users: 14\ncopies: 4', same: true },
    { name: 'a changed count is a difference', before: 'users: 14\ncopies: 4\n', after: 'users: 14\ncopies: 8\n', same: false },
    { name: 'leading whitespace is not forgiven', before: 'users: 14\n', after: '  users: 14\n', same: false },
    { name: 'whitespace inside a line is not forgiven', before: 'users: 14\n', after: 'users:  14\n', same: false },
  ];
  for (const c of table) {
    it(c.name, () => {
      const result = compareProbeOutputs(c.before, c.after, 'db counts');
      assert.equal(result.same, c.same);
      assert.equal(result.diff === '', c.same);
    });
  }

  it('gives a unified diff naming the probe', () => {
    const { diff } = compareProbeOutputs('users: 14\nexams: 1\ncopies: 4\n', 'users: 14\nexams: 1\ncopies: 8\n', 'db counts');
    assert.match(diff, /^--- db counts \(before\)/m);
    assert.match(diff, /^\+\+\+ db counts \(after\)/m);
    assert.match(diff, /^@@ -1,3 \+1,3 @@$/m);
    assert.match(diff, /^-copies: 4$/m);
    assert.match(diff, /^\+copies: 8$/m);
    assert.match(diff, /^ users: 14$/m);
  });
});
