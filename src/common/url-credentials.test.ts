import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Redactor } from './redactor.js';
import { maskUrlCredentials, secretTextsOf, urlCredentials } from './url-credentials.js';

describe('Redactor: URL credentials are hidden whether known or not', () => {
  const r = new Redactor();
  const cases: [string, string][] = [
    ['GET http://admin:s3cr3t@127.0.0.1:8088/health', 'GET http://[REDACTED]@127.0.0.1:8088/health'],
    ['https://user:pw@example.com', 'https://[REDACTED]@example.com'],
    // A short password is hidden too: the pattern needs no minimum length.
    ['http://a:b@h/', 'http://[REDACTED]@h/'],
    // A token as the user, no password.
    ['clone https://ghp_abc123@github.com/o/r.git', 'clone https://[REDACTED]@github.com/o/r.git'],
    // Any scheme: a DSN in an error message.
    ['could not connect to postgres://app:pa55@db:5432/app', 'could not connect to postgres://[REDACTED]@db:5432/app'],
    ['redis://:only-pass@cache:6379/0', 'redis://[REDACTED]@cache:6379/0'],
    // A careless `@` inside the password: hidden up to the last `@` before the host.
    ['http://admin:p@ss@host:80/x', 'http://[REDACTED]@host:80/x'],
    // An IPv6 host.
    ['http://u:p@[::1]:8080/', 'http://[REDACTED]@[::1]:8080/'],
    // Two URLs on a line.
    ['from http://a:x1@h1/ to http://b:x2@h2/', 'from http://[REDACTED]@h1/ to http://[REDACTED]@h2/'],
    // Quoted, as in JSON or a shell command.
    ['{"url":"http://u:pw@h:1/"}', '{"url":"http://[REDACTED]@h:1/"}'],
    // Not credentials: an @ in the path or query, an e-mail address, a plain URL.
    ['http://host/users/@me?x=a@b', 'http://host/users/@me?x=a@b'],
    ['mail prof1@korrigo.fr', 'mail prof1@korrigo.fr'],
    ['git@github.com:o/r.git', 'git@github.com:o/r.git'],
    ['http://127.0.0.1:8088/api/health/', 'http://127.0.0.1:8088/api/health/'],
    // Idempotent: a line already redacted stays as it is.
    ['http://[REDACTED]@h/', 'http://[REDACTED]@h/'],
  ];
  for (const [input, expected] of cases) {
    it(`turns ${JSON.stringify(input)} into ${JSON.stringify(expected)}`, () => {
      assert.equal(r.redact(input), expected);
      assert.equal(r.redactLines(`x\n${input}\ny`), `x\n${expected}\ny`);
      assert.equal(maskUrlCredentials(input), expected);
    });
  }
});

describe('urlCredentials', () => {
  it('finds every credential in a config tree, decoded, once each', () => {
    const found = urlCredentials({
      baseUrl: 'http://admin:p%40ss-word@h:1',
      phases: [{ steps: [{ url: 'http://admin:p%40ss-word@h:1/x' }, { scenario: { each: [{ request: { url: 'https://tok_123456@api/' } }] } }] }],
      env: { DATABASE_URL: 'postgres://app:db-pass-1@db/app' },
      plain: 'http://h/',
    });
    assert.deepEqual(found, [
      { userinfo: 'admin:p%40ss-word', user: 'admin', password: 'p@ss-word' },
      { userinfo: 'tok_123456', user: 'tok_123456', password: undefined },
      { userinfo: 'app:db-pass-1', user: 'app', password: 'db-pass-1' },
    ]);
  });

  const texts: [string, string[]][] = [
    ['http://admin:p%40ss-word@h', ['p%40ss-word', 'p@ss-word', Buffer.from('admin:p@ss-word').toString('base64')]],
    ['https://tok_123456@h', ['tok_123456', Buffer.from('tok_123456:').toString('base64')]],
  ];
  for (const [url, expected] of texts) {
    it(`hides the password as written, decoded and in Basic form: ${url}`, () => {
      const [credential] = urlCredentials(url);
      assert.ok(credential);
      assert.deepEqual(secretTextsOf(credential), expected);
    });
  }

  it('makes a redactor hide the password elsewhere too (an echoed value, a Basic header)', () => {
    const r = new Redactor();
    for (const c of urlCredentials('http://admin:Sup3r-Secret@h/')) for (const t of secretTextsOf(c)) r.addSecret(t);
    assert.equal(r.redact('password is Sup3r-Secret'), 'password is [REDACTED]');
    assert.equal(r.redact(`Authorization: Basic ${Buffer.from('admin:Sup3r-Secret').toString('base64')}`), 'Authorization: Basic [REDACTED]');
    // The user alone stays: it is a name, and `-u admin:"$VAR"` must stay readable.
    assert.equal(r.redact('-u admin:"$URL_PASSWORD"'), '-u admin:"$URL_PASSWORD"');
  });
});
