import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeUpgrade, UPGRADE_STAGES, type UpgradeInput, type UpgradeStageName } from './upgrade-verdict.js';

const FP = 'users: 14\nexams: 1\ncopies: 5\nfingerprint: 2f1c';
const healthy = (): UpgradeInput => ({ stages: UPGRADE_STAGES.map((name) => ({ name, exitCode: 0 })), probes: { before: FP, after: FP, again: FP } });
const failing = (name: UpgradeStageName, detail?: string): UpgradeInput => {
  const input = healthy();
  input.stages = input.stages.map((s) => (s.name === name ? { name, exitCode: 1, ...(detail ? { detail } : {}) } : s));
  return input;
};

describe('judgeUpgrade', () => {
  const cases: [string, UpgradeInput, boolean, RegExp][] = [
    ['every sub-step passed, fingerprint unchanged', healthy(), true, /fingerprint unchanged, E2E reads passed, second migrate a no-op/],
    [
      'the migrate failed on the old data',
      failing('migrate', 'Migration 0004_exam_session failed: column "session" of relation "exams" contains null values'),
      false,
      /^the candidate's migrate failed on the previous release's data: Migration 0004_exam_session failed: column "session"/,
    ],
    ['a pending migration after migrate', failing('migrate check'), false, /^a migration is still pending after the candidate's migrate: exit code 1$/],
    ['the reads failed', failing('read', 'GET /api/exams/: HTTP 500'), false, /^the E2E read steps failed on the previous release's data: GET/],
    ['the first failure is named, not a later one', (() => { const i = failing('previous seed'); i.stages[7] = { name: 'migrate', exitCode: 1 }; return i; })(), false, /^the previous release's seed failed/],
    ['a sub-step never recorded', { ...healthy(), stages: healthy().stages.filter((s) => s.name !== 'second migrate') }, false, /^a second migrate failed: not run$/],
    ['rows lost in copies', { ...healthy(), probes: { before: FP, after: FP.replace('copies: 5', 'copies: 4'), again: FP.replace('copies: 5', 'copies: 4') } }, false, /^the fingerprint changed: -copies: 5 \/ \+copies: 4$/],
    ['a second migrate changed the data', { ...healthy(), probes: { before: FP, after: FP, again: `${FP}\nexams: 2` } }, false, /^a second migrate changed the data: \+exams: 2$/],
    ['an empty fingerprint proves nothing', { ...healthy(), probes: { before: '', after: '', again: '' } }, false, /empty: it proves nothing/],
    [
      'a declared change is accepted',
      { ...healthy(), probes: { before: FP, after: FP.replace('exams: 1', 'exams: 1 (with session)'), again: FP.replace('exams: 1', 'exams: 1 (with session)') }, expectChange: [{ from: '^exams: (\\d+)$', to: 'exams: $1 (with session)' }] },
      true,
      /\(as declared\)/,
    ],
    [
      'a change beyond the declared one fails',
      { ...healthy(), probes: { before: FP, after: FP.replace('copies: 5', 'copies: 4'), again: FP.replace('copies: 5', 'copies: 4') }, expectChange: [{ from: '^exams: (\\d+)$', to: 'exams: $1' }] },
      false,
      /^the fingerprint changed beyond the declared change: -copies: 5/,
    ],
  ];
  for (const [name, input, passed, detail] of cases) {
    it(name, () => {
      const verdict = judgeUpgrade(input);
      assert.equal(verdict.passed, passed, verdict.detail);
      assert.match(verdict.detail, detail);
    });
  }
});
