import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redactor } from './redactor.js';

describe('Redactor', () => {
  const redactor = new Redactor();
  redactor.addSecret('s3cret-value');
  redactor.addSecret('a+b/c=d e');
  redactor.addSecret('prof'); // too short to redact safely: ignored
  redactor.addPattern('Generated password for \\S+: (\\S+)');
  redactor.addPattern('csrftoken=([^;\\s]+)');
  redactor.addPattern('Bearer [A-Za-z0-9._-]+');

  const cases: [string, string][] = [
    ['token s3cret-value here', 'token [REDACTED] here'],
    ['twice s3cret-value/s3cret-value', 'twice [REDACTED]/[REDACTED]'],
    ['query ?t=a%2Bb%2Fc%3Dd%20e', 'query ?t=[REDACTED]'],
    ['raw a+b/c=d e!', 'raw [REDACTED]!'],
    ['Generated password for admin: Xy7-kLm', 'Generated password for admin: [REDACTED]'],
    ['Set-Cookie: csrftoken=abc123; Path=/', 'Set-Cookie: csrftoken=[REDACTED]; Path=/'],
    ['Authorization: Bearer eyJ.abc-def', 'Authorization: [REDACTED]'],
    ['login as prof1', 'login as prof1'],
    ['nothing to hide', 'nothing to hide'],
  ];
  for (const [input, expected] of cases) {
    it(`redacts ${JSON.stringify(input)}`, () => assert.equal(redactor.redact(input), expected));
  }

  it('learns secrets during the run', () => {
    const r = new Redactor();
    assert.equal(r.redact('lock tok-123456'), 'lock tok-123456');
    r.addSecret('tok-123456');
    assert.equal(r.redact('lock tok-123456'), 'lock [REDACTED]');
  });

  it('prefers the longest secret when one contains another', () => {
    const r = new Redactor();
    r.addSecret('abcdef');
    r.addSecret('abcdefghij');
    assert.equal(r.redact('x abcdefghij y'), 'x [REDACTED] y');
  });
});
