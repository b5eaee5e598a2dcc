import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstDifference, judgeRestore, restoreDiff, type RestoreInput } from './restore-verdict.js';

const live = { output: 'users: 14\nexams: 1\npages: 6\nannotations: 3\nfingerprint: 9f2c', exitCode: 0 };
const ok: RestoreInput = { backupExit: 0, restoreExit: 0, live, restored: live, restoreMs: 1234 };

describe('judgeRestore', () => {
  const cases: [string, RestoreInput, boolean, RegExp][] = [
    ['equal outputs pass, with the restore time', ok, true, /^restored copy equals the live data \(5 probe lines\); restore took 1\.2s$/],
    ['equal outputs within the rto pass and name it', { ...ok, rtoMs: 60_000 }, true, /restore took 1\.2s \(rto 1m/],
    ['trailing blanks and a final newline are forgiven', { ...ok, restored: { output: `${live.output.replace('users: 14', 'users: 14  ')}\n\n`, exitCode: 0 } }, true, /equals/],
    ['one changed line fails, naming both sides', { ...ok, restored: { output: live.output.replace('pages: 6', 'pages: 0'), exitCode: 0 } }, false, /differs from the live data at probe line 3: live "pages: 6", restored "pages: 0"/],
    ['a missing line fails', { ...ok, restored: { output: 'users: 14\nexams: 1', exitCode: 0 } }, false, /at probe line 3: live "pages: 6", restored \(no line\)/],
    ['a restore over the rto fails, with both times', { ...ok, restoreMs: 61_000, rtoMs: 60_000 }, false, /^restore took 1m\S* over the rto|restore took .*, over the rto/],
    ['an rto without a measured time fails', { ...ok, restoreMs: undefined, rtoMs: 60_000 }, false, /over the rto/],
    ['a failed backup fails', { backupExit: 1 }, false, /^backup failed \(exit 1\)/],
    ['a failed restore fails', { ...ok, restoreExit: 3 }, false, /^restore failed \(exit 3\)/],
    ['a restore that never ran fails', { backupExit: 0 }, false, /^restore not run/],
    ['a failed live probe fails', { ...ok, live: { output: 'Traceback', exitCode: 1 } }, false, /live data failed \(exit 1\)/],
    ['a failed restored probe fails, even with the same output', { ...ok, restored: { ...live, exitCode: 1 } }, false, /restored copy failed \(exit 1\)/],
    ['a restored probe that read the live data before the restore fails: it points at the live data', { ...ok, beforeRestore: live }, false, /read the live data before anything was restored/],
    ['a restored probe that failed before the restore (no copy yet) is what is expected', { ...ok, beforeRestore: { output: 'schema "copy" does not exist', exitCode: 1 } }, true, /equals/],
    ['two empty outputs prove nothing', { ...ok, live: { output: '\n', exitCode: 0 }, restored: { output: '', exitCode: 0 } }, false, /printed nothing/],
  ];
  for (const [name, input, passed, detail] of cases) {
    it(name, () => {
      const verdict = judgeRestore(input);
      assert.equal(verdict.passed, passed, verdict.detail);
      assert.match(verdict.detail, detail);
    });
  }
});

describe('restoreDiff and firstDifference', () => {
  it('shows the first differing region as a unified diff, live then restored', () => {
    const diff = restoreDiff(live.output, live.output.replace('pages: 6', 'pages: 0'));
    assert.equal(diff, ['--- live', '+++ restored', '@@ -1,5 +1,5 @@', ' users: 14', ' exams: 1', '-pages: 6', '+pages: 0', ' annotations: 3', ' fingerprint: 9f2c'].join('\n'));
  });

  it('cuts a long diff and says how much is left', () => {
    const a = Array.from({ length: 100 }, (_, i) => `row ${i}`).join('\n');
    assert.equal(restoreDiff(a, '').split('\n').length, 41);
    const short = restoreDiff(a, '', 10).split('\n');
    assert.equal(short.length, 11);
    assert.equal(short.at(-1), '… 93 more diff lines');
  });

  it('names further differing regions it does not show', () => {
    const a = Array.from({ length: 30 }, (_, i) => `row ${i}`);
    const b = [...a];
    b[2] = 'changed 2';
    b[25] = 'changed 25';
    assert.match(restoreDiff(a.join('\n'), b.join('\n')), /… 1 more differing region$/);
  });

  it('is empty, and firstDifference null, for equal outputs', () => {
    assert.equal(restoreDiff('a\nb', 'a\nb\n'), '');
    assert.equal(firstDifference('a\nb', 'a\nb\n'), null);
  });
});
