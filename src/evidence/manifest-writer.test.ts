import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { sha256Text } from '../common/file-digest.js';
import { Redactor } from '../common/redactor.js';
import { canonicalJson } from './manifest-writer.js';

describe('the resolved config hash', () => {
  const cases: [string, unknown, unknown, boolean][] = [
    ['key order does not matter', { a: 1, b: { c: [1, 2], d: 'x' } }, { b: { d: 'x', c: [1, 2] }, a: 1 }, true],
    ['array order matters', { a: [1, 2] }, { a: [2, 1] }, false],
    ['an undefined field is no field', { a: 1, b: undefined }, { a: 1 }, true],
    ['a value matters', { a: 1 }, { a: 2 }, false],
  ];
  for (const [name, x, y, same] of cases) {
    it(name, () => assert.equal(canonicalJson(x) === canonicalJson(y), same));
  }

  it('does not depend on a generated secret once redacted (and so leaks nothing guessable)', () => {
    const hash = (password: string) => {
      const redactor = new Redactor();
      redactor.addSecret(password);
      return sha256Text(redactor.redact(canonicalJson({ env: { ADMIN_PASSWORD: password }, baseUrl: 'http://127.0.0.1:8088' })));
    };
    assert.equal(hash('Gen3rated-one-Abc123'), hash('Another-gen3rated-Xyz789'));
  });
});
