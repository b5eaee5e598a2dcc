import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { createPool } from '../db-pool.js';
import { computeFingerprint } from '../fingerprint.js';
import { Migrator } from '../migrator.js';
import { migrationsOf } from '../release.js';
import { DEFAULT_DATABASE_URL, loadSettings } from '../settings.js';

describe('database', () => {
  const pool = createPool(process.env['DATABASE_URL'] || DEFAULT_DATABASE_URL, 1);
  after(() => pool.end());

  it('has every migration of its release applied', async () => {
    const { release, faults } = loadSettings();
    const pending = await new Migrator(pool, migrationsOf(release, faults)).pending();
    assert.deepEqual(pending.map((m) => m.version), []);
  });

  it('computes the same fingerprint twice in a row', async () => {
    const { release } = loadSettings();
    const a = await computeFingerprint(pool, { release });
    const b = await computeFingerprint(pool, { release });
    assert.equal(a.digest, b.digest);
  });

  it('rejects an unknown copy status', async () => {
    await assert.rejects(
      pool.query(`INSERT INTO copies (exam_id, anonymous_id, status) VALUES (-1, 'never', 'BOGUS')`),
      /violates/,
    );
  });
});
