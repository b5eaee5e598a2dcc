import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import type { HttpWaitResult } from '../checks/http-wait.js';
import { Redactor } from '../common/redactor.js';
import { exchange } from './wait-http-step.js';

const failed = (body: string): HttpWaitResult => ({
  ok: false,
  last: { answer: { status: 403, contentType: 'text/html', body }, problem: null },
  attempts: 3,
  elapsedMs: 10,
  detail: 'GET /metrics → 403',
  history: [],
});

describe('wait-http exchange (the report\'s evidence of a failed wait)', () => {
  const redactor = new Redactor();
  redactor.addSecret('s3cret-token-value');
  const env = { METRICS_TOKEN: 's3cret-token-value', HOME: '/root' };
  const cases: [string, Record<string, string>, Record<string, string>][] = [
    ['a redacted value becomes the variable holding it', { 'X-Metrics-Token': 's3cret-token-value' }, { 'X-Metrics-Token': '$METRICS_TOKEN' }],
    ['a short secret the redactor ignores is hidden by its header name', { Authorization: 'abc' }, { Authorization: '$AUTHORIZATION' }],
    ['a secret no variable holds gets one named after the header', { 'X-Api-Key': 'other-secret' }, { 'X-Api-Key': '$X_API_KEY' }],
    ['an ordinary header stays as it is', { Accept: 'text/plain' }, { Accept: 'text/plain' }],
  ];
  for (const [name, headers, expected] of cases) {
    it(name, () => assert.deepEqual(exchange('http://127.0.0.1/metrics', [200], headers, undefined, failed(''), env, redactor).headers, expected));
  }

  it('keeps the start of the last body, redacted, and never a secret value', () => {
    const x = exchange('http://127.0.0.1/metrics', [200], { 'X-Metrics-Token': 's3cret-token-value' }, 'backend', failed(`denied for s3cret-token-value ${'x'.repeat(5000)}`), env, redactor);
    assert.equal(x.status, 403);
    assert.equal(x.from, 'backend');
    assert.ok(x.bodyExcerpt?.startsWith('denied for [REDACTED] x'));
    assert.ok((x.bodyExcerpt?.length ?? 0) <= 2000);
    assert.doesNotMatch(JSON.stringify(x), /s3cret-token-value/);
  });
});
