import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { upgradeSchema } from './upgrade-schema.js';
import { upgradeStep } from './upgrade-step.js';

/** A drill's fields but `previous`, as the sample writes them. */
const validFields = {
  service: 'backend',
  ready: { url: '/api/health/' },
  seed: [['app', 'seed']],
  migrate: ['app', 'migrate'],
  migrateCheck: ['app', 'migrate', '--check'],
  probe: ['app', 'fingerprint'],
  read: { each: [{ name: 'exams', request: { url: '/api/exams/' } }] },
};

/** A drill's fields with `previous` as given; the rest as the sample writes them. */
const stepWith = (previous: Record<string, unknown>) => ({
  ...upgradeSchema.parse({ previous, ...validFields }),
  log: '19_upgrade_drill',
  do: 'upgrade',
});

describe('upgrade step: where the previous release comes from', () => {
  const cases: [string, Record<string, unknown>, RegExp | null][] = [
    ['a switch of the same build runs', { env: { APP_RELEASE: 'v1' } }, null],
    ['image tags run', { images: { backend: 'app:1.4.2' } }, null],
    ['nothing given: n/a, saying what to set', { ref: '', hint: 'set KORRIGO_PREVIOUS_REF' }, /^no previous release given \(set KORRIGO_PREVIOUS_REF\)$/],
    ['nothing given, no hint: n/a, naming the fields', {}, /^no previous release given \(previous\.ref, previous\.images or previous\.env\)$/],
    ['a git ref runs (built by the driver)', { ref: ' v1.0.0 ' }, null],
    ['a ref and a switch: n/a, one source', { ref: 'v1.0.0', env: { APP_RELEASE: 'v1' } }, /^previous release given twice/],
  ];
  for (const [name, previous, reason] of cases) {
    it(name, () => {
      const got = upgradeStep.notApplicable?.(stepWith(previous)) ?? null;
      if (reason === null) assert.equal(got, null);
      else assert.match(got ?? '', reason);
    });
  }

  it('from a git ref: titled by the ref, needs a driver that builds a release from it', () => {
    const step = stepWith({ ref: 'v1.0.0' });
    assert.equal(step.previous.ref, 'v1.0.0');
    assert.equal(upgradeStep.title(step), 'Upgrade drill: previous release (git ref v1.0.0) → candidate, data kept');
    assert.deepEqual(upgradeStep.needs?.(step), ['lifecycle', 'exec', 'releases', 'ref-releases']);
  });

  const refused: [string, string, RegExp][] = [
    ['an option to git', '--output=/tmp/x', /git ref "--output=\/tmp\/x" refused: it starts with "-"/],
    ['a space inside', 'v1 v2', /refused: it holds a space or a control character/],
    ['a newline inside', 'v1\nv2', /refused: it holds a space or a control character/],
    ['too long', 'v'.repeat(257), /refused: it is longer than 256 characters/],
  ];
  for (const [name, ref, message] of refused) {
    it(`refuses at load a ref that is ${name}`, () => {
      const parsed = upgradeSchema.safeParse({ ...validFields, previous: { ref } });
      assert.equal(parsed.success, false);
      assert.match(parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n') ?? '', new RegExp(`previous\\.ref: .*${message.source}`));
    });
  }

  it('is titled by its source and needs a driver that can start another release', () => {
    const step = stepWith({ env: { APP_RELEASE: 'v1' } });
    assert.equal(upgradeStep.title(step), 'Upgrade drill: previous release (with APP_RELEASE set) → candidate, data kept');
    assert.deepEqual(upgradeStep.needs?.(step), ['lifecycle', 'exec', 'releases']);
    assert.equal(upgradeStep.disturbsStack, true);
  });
});
