import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { parseRelease, type Release } from './release.js';
import { loadSettings } from './settings.js';
import { runCli, startTestDb, type TestStack } from './testing/process-harness.js';

describe('parseRelease', () => {
  const cases: [string | undefined, Release | RegExp][] = [
    [undefined, 'v2'],
    ['', 'v2'],
    [' v1 ', 'v1'],
    ['v2', 'v2'],
    ['v3', /unknown release "v3"; allowed: v1, v2/],
  ];
  for (const [value, expected] of cases) {
    it(`${JSON.stringify(value)} -> ${String(expected)}`, () => {
      if (typeof expected === 'string') assert.equal(parseRelease(value), expected);
      else assert.throws(() => parseRelease(value), expected);
    });
  }

  it('is read by loadSettings from KORRIGO_LITE_RELEASE', () => {
    assert.equal(loadSettings({}).release, 'v2');
    assert.equal(loadSettings({ KORRIGO_LITE_RELEASE: 'v1' }).release, 'v1');
  });
});

/** v1 migrated and seeded on one database, then v2 (or its faulty twin) run on the same data. */
describe('upgrade v1 -> v2 on v1 data', () => {
  const stacks: TestStack[] = [];
  after(async () => {
    for (const stack of stacks) await stack.stop();
  });
  const v1Seeded = async (): Promise<{ env: Record<string, string>; fingerprint: string }> => {
    const stack = await startTestDb();
    stacks.push(stack);
    const v1 = { ...stack.env, KORRIGO_LITE_RELEASE: 'v1' };
    assert.equal((await runCli(['migrate'], v1)).code, 0);
    assert.equal((await runCli(['seed'], v1)).code, 0);
    const check = await runCli(['migrate', '--check'], v1);
    assert.equal(check.code, 0, `v1 knows no 0004: ${check.stdout}`);
    return { env: stack.env, fingerprint: (await runCli(['fingerprint', '--data'], v1)).stdout };
  };
  let healthy: { env: Record<string, string>; fingerprint: string };
  before(async () => {
    healthy = await v1Seeded();
  });

  it('backfills the session: migrate applies 0004, nothing is pending, the fingerprint is unchanged, a second migrate does nothing', async () => {
    const migrate = await runCli(['migrate'], healthy.env);
    assert.equal(migrate.code, 0, migrate.stderr);
    assert.match(migrate.stdout, /Applying 0004_exam_session\.\.\. OK/);
    assert.equal((await runCli(['migrate', '--check'], healthy.env)).code, 0);
    assert.equal((await runCli(['fingerprint', '--data'], healthy.env)).stdout, healthy.fingerprint);
    // --data is the data alone; the full fingerprint (a backup's) holds the migrations the upgrade added.
    assert.doesNotMatch(healthy.fingerprint, /^migrations:/m);
    assert.match((await runCli(['fingerprint'], healthy.env)).stdout, /^migrations: 4$/m);
    assert.match((await runCli(['migrate'], healthy.env)).stdout, /No migrations to apply/);
    // v2's seed on the upgraded data changes nothing either (the session is there).
    assert.equal((await runCli(['seed'], healthy.env)).code, 0);
    assert.equal((await runCli(['fingerprint', '--data'], healthy.env)).stdout, healthy.fingerprint);
  });

  it('upgrade-breaks-data: 0004 applies on an empty database but fails on v1 rows, naming the column', async () => {
    const broken = await v1Seeded();
    const faulty = { ...broken.env, KORRIGO_LITE_FAULT: 'upgrade-breaks-data' };
    const migrate = await runCli(['migrate'], faulty);
    assert.equal(migrate.code, 1);
    assert.match(migrate.stderr, /Migration 0004_exam_session failed: column "session" of relation "exams" contains null values/);
    assert.equal((await runCli(['migrate', '--check'], faulty)).code, 1, 'the failed 0004 stays pending');
    const fresh = await startTestDb();
    stacks.push(fresh);
    const freshFaulty = { ...fresh.env, KORRIGO_LITE_FAULT: 'upgrade-breaks-data' };
    assert.equal((await runCli(['migrate'], freshFaulty)).code, 0, 'a fresh install sees nothing');
    assert.equal((await runCli(['seed'], freshFaulty)).code, 0);
  });
});
