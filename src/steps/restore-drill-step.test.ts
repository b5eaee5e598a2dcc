import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { restoreDrillStep, restoredProbe } from './restore-drill-step.js';

const base = {
  backup: { service: 'db', run: 'pg_dump -Fc -f /tmp/x.dump' },
  restore: { service: 'db', run: 'pg_restore -d copy /tmp/x.dump' },
  probe: { service: 'backend', run: ['python', 'manage.py', 'shell', '-c', 'print(1)'], env: { A: '1' } },
  restoredProbe: {},
  cleanup: { service: 'db', run: 'dropdb --if-exists copy' },
};

describe('restore-drill: the restored probe is the probe with overrides', () => {
  it('reuses the probe\'s service, command and env, with the overrides\' env on top', () => {
    const step = restoreDrillStep.schema.parse({ ...base, restoredProbe: { env: { A: '2', B: '3' } } });
    assert.deepEqual(restoredProbe(step), { service: 'backend', run: ['python', 'manage.py', 'shell', '-c', 'print(1)'], env: { A: '2', B: '3' } });
  });

  it('puts a wrapper before the probe\'s own argv (a string command runs through sh -c)', () => {
    const step = restoreDrillStep.schema.parse({ ...base, probe: { service: 'backend', run: 'fingerprint' }, restoredProbe: { wrap: ['env', 'SCHEMA=copy'], service: 'worker' } });
    assert.deepEqual(restoredProbe(step), { service: 'worker', run: ['env', 'SCHEMA=copy', 'sh', '-c', 'fingerprint'], env: {} });
  });
});

describe('restore-drill schema', () => {
  it('reads rto once, at load, into ms; absent: no budget', () => {
    assert.equal(restoreDrillStep.schema.parse({ ...base, rto: '90s' }).rto, 90_000);
    assert.equal(restoreDrillStep.schema.parse(base).rto, undefined);
  });

  for (const [name, value] of [
    ['a missing cleanup', { ...base, cleanup: undefined }],
    ['a cleanup without its service', { ...base, cleanup: { run: 'true' } }],
    ['an rto that is not a duration', { ...base, rto: 'soon' }],
    ['an unknown field', { ...base, restoreInto: 'copy' }],
  ] as const) {
    it(`refuses ${name}`, () => assert.equal(restoreDrillStep.schema.safeParse(value).success, false));
  }

  it('titles the step with its backup service and its rto', () => {
    assert.equal(restoreDrillStep.title({ ...restoreDrillStep.schema.parse({ ...base, rto: '60s' }), log: '18_restore_drill', do: 'restore-drill' }), 'Restore drill: backup in db, restore, compare the state probe (rto 1m00s)');
  });
});
