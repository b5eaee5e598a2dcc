import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { RgConfigError } from '../../common/errors.js';
import { checkRegistry, registryName } from './registry-push.js';

describe('stack.registry: an address every node pulls from', () => {
  for (const ok of ['10.0.0.5:5000', 'registry.example.org', 'registry.example.org:5000/team', 'localhost:5000/']) {
    it(`accepts ${ok}`, () => assert.equal(checkRegistry(ok), ok.replace(/\/$/, '')));
  }
  for (const bad of ['https://registry.example.org', 'user:pw@registry:5000', 'Registry:5000', '']) {
    it(`refuses "${bad}" with where and what is allowed`, () => {
      assert.throws(
        () => checkRegistry(bad),
        (err: unknown) => err instanceof RgConfigError && err.issues[0]?.where === 'stack.registry' && /allowed: host\[:port\]\[\/path\]/.test(err.issues[0].message) && !err.message.includes(':pw'),
      );
    });
  }
});

describe('registryName: the name an image gets in the registry', () => {
  const cases: [string, string, string][] = [
    ['10.0.0.5:5000', 'korrigo-lite-app:local', '10.0.0.5:5000/korrigo-lite-app:local'],
    ['10.0.0.5:5000', 'team/app:1.2', '10.0.0.5:5000/team/app:1.2'],
    ['10.0.0.5:5000', 'old.registry.io/team/app:1.2', '10.0.0.5:5000/team/app:1.2'],
    ['10.0.0.5:5000/ci', 'localhost:5001/app', '10.0.0.5:5000/ci/app'],
  ];
  for (const [registry, image, want] of cases) it(`${image} → ${want}`, () => assert.equal(registryName(registry, image), want));
});
