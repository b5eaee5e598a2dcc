import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import type { HttpExchange } from '../model/run-result.js';
import { curlCommand, shellQuote } from './curl-command.js';

const base: HttpExchange = { method: 'GET', url: 'http://127.0.0.1:8088/api/health/', headers: {}, expected: [200] };

describe('curlCommand', () => {
  const cases: [string, HttpExchange, string][] = [
    ['a plain GET', base, 'curl -sS -i --max-time 10 -X GET http://127.0.0.1:8088/api/health/'],
    [
      'a secret header as a $VAR reference the shell expands',
      { ...base, headers: { 'X-Metrics-Token': '$METRICS_TOKEN' } },
      `curl -sS -i --max-time 10 -X GET -H 'X-Metrics-Token: '"$METRICS_TOKEN" http://127.0.0.1:8088/api/health/`,
    ],
    [
      'a literal header with a quote, and a query string',
      { ...base, url: 'http://127.0.0.1/x?a=1&b=2', headers: { Accept: "it's/json" } },
      `curl -sS -i --max-time 10 -X GET -H 'Accept: it'\\''s/json' 'http://127.0.0.1/x?a=1&b=2'`,
    ],
    [
      'URL credentials as -u with the password a $VAR reference',
      { ...base, auth: { user: 'admin', password: '$URL_PASSWORD' } },
      `curl -sS -i --max-time 10 -X GET -u admin:"$URL_PASSWORD" http://127.0.0.1:8088/api/health/`,
    ],
    [
      'a URL whose user is the credential (a token, no password)',
      { ...base, auth: { user: '$NGINX_BASE_URL_USER', password: '' } },
      `curl -sS -i --max-time 10 -X GET -u "$NGINX_BASE_URL_USER": http://127.0.0.1:8088/api/health/`,
    ],
    [
      'a request made from inside a service says where to run it',
      { ...base, from: 'backend' },
      `# from inside the backend service, e.g. docker compose exec backend sh -c '…'\ncurl -sS -i --max-time 10 -X GET http://127.0.0.1:8088/api/health/`,
    ],
  ];
  for (const [name, exchange, expected] of cases) {
    it(name, () => assert.equal(curlCommand(exchange), expected));
  }

  it('never expands anything but a whole $VAR value', () => {
    // A value that merely contains `$` stays literal in single quotes.
    assert.equal(shellQuote('a$HOME b'), `'a$HOME b'`);
    assert.match(curlCommand({ ...base, headers: { X: 'pre $HOME' } }), /-H 'X: pre \$HOME'/);
  });
});
