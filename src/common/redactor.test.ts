import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
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
    // A group is redacted where it matched, not wherever its text recurs in the match.
    ['Generated password for prof12: prof12', 'Generated password for prof12: [REDACTED]'],
    // A secret inside a pattern's value: one [REDACTED], no piece of either left.
    ['csrftoken=xx-s3cret-value-yy; Path=/', 'csrftoken=[REDACTED]; Path=/'],
    // Exact by code unit: a combining mark after a secret does not hide it.
    ['s3cret-value\u0301 ok', '[REDACTED]\u0301 ok'],
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
    assert.equal(r.redact('x abcdefgh y'), 'x [REDACTED]gh y');
  });

  it('leaves no piece of two overlapping secrets visible', () => {
    const r = new Redactor();
    r.addSecret('abcd1234');
    r.addSecret('1234wxyz');
    assert.equal(r.redact('<abcd1234wxyz>'), '<[REDACTED]>');
  });

  it('treats a pattern without groups, or with an empty group, as the patterns always did', () => {
    const r = new Redactor();
    r.addPattern(/api_key=\w+/i);
    r.addPattern('token=(\\w*)');
    assert.equal(r.redact('API_KEY=abc token= token=t0k'), '[REDACTED] token= token=[REDACTED]');
  });
});

/** The preset's own patterns, so this table follows presets/korrigo.yml. */
function presetRedactor(): Redactor {
  const preset = parse(readFileSync(new URL('../../../presets/korrigo.yml', import.meta.url), 'utf8')) as { secrets: { patterns: string[] } };
  const r = new Redactor();
  for (const p of preset.secrets.patterns) r.addPattern(p);
  return r;
}

describe('Redactor with the korrigo preset patterns', () => {
  const r = presetRedactor();

  // pytest -v output of test classes and functions named after what they test.
  const identifiers: string[] = [
    'tests/test_auth.py::TestStudentAuthEmailPassword::test_login PASSED                  [  3%]',
    'tests/test_auth.py::TestStudentAuthEmailPassword::test_login_wrong FAILED           [  4%]',
    'tests/test_auth.py::TestPasswordReset::test_token_expiry PASSED                     [  5%]',
    'tests/test_settings.py::test_secret_key_required PASSED                             [  6%]',
    'tests/test_metrics.py::TestMetricsToken::test_x FAILED                              [  7%]',
    'tests/test_auth.py::TestUserPassword::test_y ERROR                                  [  8%]',
    'tests/test_auth.py::Test_Password::test_change SKIPPED (needs smtp)                 [  9%]',
    'tests/test_auth.py::Password::test_hash PASSED                                      [ 10%]',
    'tests/test_password.py::test_password_min_length PASSED                             [ 11%]',
    'tests/password.py::test_x XFAIL (known bug)                                         [ 12%]',
    'FAILED tests/x.py::TestUserPassword::test_y - AssertionError',
    'FAILED tests/test_metrics.py::TestMetricsToken::test_x - assert 401 == 200',
    'ERROR tests/test_auth.py::TestUserPassword::test_y - RuntimeError: fixture failed',
    'SKIPPED [1] tests/test_auth.py:40: TestPasswordReset needs smtp',
    'PASSED tests/test_auth.py::TestStudentAuthEmailPassword::test_login',
    '__________________ TestStudentAuthEmailPassword.test_login_wrong __________________',
    'class TestUserPassword:',
    '    def test_password_change(self, client):',
    '=========================== short test summary info ============================',
  ];
  for (const line of identifiers) {
    it(`keeps the pytest line ${JSON.stringify(line.trim().slice(0, 70))} intact`, () => assert.equal(r.redact(line), line));
  }

  const values: [string, string][] = [
    ['Generated password for admin: Xy7-kLm9Qp', 'Generated password for admin: [REDACTED]'],
    ['Generated password for prof@korrigo.fr: Zz9_aa', 'Generated password for prof@korrigo.fr: [REDACTED]'],
    ['password=abc123', 'password=[REDACTED]'],
    ['PASSWORD: s3cr3t', 'PASSWORD: [REDACTED]'],
    ['ADMIN_PASSWORD=hunter22 TEACHER_PASSWORD = t3acher', 'ADMIN_PASSWORD=[REDACTED] TEACHER_PASSWORD = [REDACTED]'],
    ['Password: s3cr3t', 'Password: [REDACTED]'],
    ['Cookie: csrftoken=AbC123xyz; sessionid=9f8e7d6c5b', 'Cookie: csrftoken=[REDACTED]; sessionid=[REDACTED]'],
    ['Set-Cookie: sessionid=9f8e7d6c5b; HttpOnly', 'Set-Cookie: sessionid=[REDACTED]; HttpOnly'],
    [
      'FAILED tests/x.py::TestUserPassword::test_y - AssertionError: password=abc123',
      'FAILED tests/x.py::TestUserPassword::test_y - AssertionError: password=[REDACTED]',
    ],
    // The value is on the same line: an empty "Password:" does not take the next line's first word.
    ['Password:\nnext line', 'Password:\nnext line'],
  ];
  for (const [input, expected] of values) {
    it(`redacts the value in ${JSON.stringify(input)}`, () => assert.equal(r.redact(input), expected));
  }
});

describe('Redactor: partial echoes of a secret', () => {
  const secret = '-Mx8Q3kZp7Rw2Tq9';
  const r = new Redactor();
  r.addSecret(secret);
  r.addSecret('Passwordless2024xy'); // begins with a plain word
  r.addSecret('tok_abc123def456');

  const cases: [string, string][] = [
    ["error: unknown option '-Mx8Q3k'", "error: unknown option '[REDACTED]'"],
    ['error: unknown option -Mx8Q3kZp7', 'error: unknown option [REDACTED]'],
    ["error: unknown option '-Mx8Q3kZp7Rw2Tq9'", "error: unknown option '[REDACTED]'"],
    ['bad value tok_abc123… (truncated)', 'bad value [REDACTED]… (truncated)'],
    // Five characters are not enough to hide (too many ordinary strings begin so).
    ["error: unknown option '-Mx8Q'", "error: unknown option '-Mx8Q'"],
    // Glued to other word characters it is not an echo but another word.
    ['tok_abc123x is another token', 'tok_abc123x is another token'],
    ['xtok_abc123 too', 'xtok_abc123 too'],
    // Leading runs that read as plain words stay.
    ['Passwordless login enabled', 'Passwordless login enabled'],
    ['Password reset sent', 'Password reset sent'],
    // A run that does not read as a word is hidden.
    ['user Passwordless20 rejected', 'user [REDACTED] rejected'],
  ];
  for (const [input, expected] of cases) {
    it(`turns ${JSON.stringify(input)} into ${JSON.stringify(expected)}`, () => assert.equal(r.redact(input), expected));
  }

  it('does not hide leading parts of secrets shorter than 12 characters', () => {
    const short = new Redactor();
    short.addSecret('Ab3dE6gH9j'); // 10 characters
    assert.equal(short.redact("unknown option 'Ab3dE6g'"), "unknown option 'Ab3dE6g'");
    assert.equal(short.redact("unknown option 'Ab3dE6gH9j'"), "unknown option '[REDACTED]'");
  });
});

describe('Redactor.redactLines: a block hides what each line would', () => {
  // Patterns whose meaning depends on line edges: the block-wide search that points at lines
  // must never skip one that matches alone.
  const patterns: (string | RegExp)[] = [
    '^token=(\\w+)$', // anchors
    'password:\\s*(\\S+)', // \s could run across the line break
    /(?<![\s\S])lead=(\w+)/, // lookbehind: only at a line start, never true inside a block
    /tail=(\w+)(?![\s\S])/, // lookahead: only at a line end
    /KEY=(\w+)/i,
    /^(.*)SECRETLINE$/s,
    'x*', // matches the empty string everywhere
    '^x(\\w+)|xk(\\w)', // judged from the line's start, not from where the block search hit
  ];
  const lines = [
    'token=abc123',
    ' token=notalone',
    'password:',
    'hunter22 follows on the next line',
    'password:   pw-9876',
    'lead=front1',
    'middle lead=notfront',
    'ends with tail=back1',
    'tail=notback here',
    'key=MixedCase1 and KEY=upper2',
    'all of this SECRETLINE',
    'axkey',
    '',
    'token=last99',
  ];

  it('gives, for every pattern, the same text as redact() line by line', () => {
    for (const pattern of patterns) {
      const r = new Redactor();
      r.addPattern(pattern);
      r.addSecret('hunter22-secret'); // the secret matcher runs too
      const block = lines.join('\n');
      assert.equal(r.redactLines(block), lines.map((l) => r.redact(l)).join('\n'), String(pattern));
    }
  });

  it('hides matches on lines far apart in one big block', () => {
    const r = new Redactor();
    r.addPattern('^token=(\\w+)$');
    r.addPattern(/tail=(\w+)(?![\s\S])/);
    const many = Array.from({ length: 5000 }, (_, i) => (i % 997 === 0 ? `token=t${i}` : i % 1499 === 0 ? `x tail=z${i}` : `plain line ${i}`));
    const out = r.redactLines(many.join('\n')).split('\n');
    assert.equal(out.filter((l) => l === 'token=[REDACTED]').length, 6);
    assert.equal(out.filter((l) => l === 'x tail=[REDACTED]').length, 3);
    assert.equal(out.length, 5000);
  });
});

describe('Redactor: cost does not grow with the number of secrets', () => {
  /** Deterministic pseudo-random secrets, 24 characters of [A-Za-z0-9] like generated ones. */
  function secrets(n: number, seed: number): string[] {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let x = seed;
    const next = (): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x >>> 8;
    };
    return Array.from({ length: n }, () => Array.from({ length: 24 }, () => alphabet[next() % alphabet.length]).join(''));
  }

  function workFor(secretCount: number): { positions: number; candidates: number; out: string[] } {
    const r = new Redactor();
    const learnt = secrets(secretCount, 7);
    const perLine = Math.ceil(secretCount / 2000);
    const out: string[] = [];
    for (let i = 0; i < 2000; i++) {
      // Secrets learnt as the run goes, interleaved with output, as cookies and lock tokens are.
      for (const s of learnt.slice(i * perLine, (i + 1) * perLine)) r.addSecret(s);
      out.push(r.redact(`tests/test_auth.py::TestStudentAuthEmailPassword::test_login_${i} PASSED [ 42%] cookie ${learnt[0]}`));
    }
    assert.equal(r.redact(learnt[learnt.length - 1] as string), '[REDACTED]');
    return { ...r.matcherStats, out };
  }

  it('does the same matcher work with 10 or 5,000 known secrets', () => {
    const few = workFor(10);
    const many = workFor(5000);
    assert.deepEqual(many.out, few.out);
    assert.ok(few.out.every((l) => l.endsWith('cookie [REDACTED]')));
    // One hash per text position whatever the number of secrets…
    assert.equal(many.positions, few.positions);
    // …and verifications only where a secret's first characters occur (plus rare hash collisions).
    assert.ok(many.candidates <= few.candidates * 1.05 + 10, `candidates: ${many.candidates} with 5000 secrets vs ${few.candidates} with 10`);
  });
});
