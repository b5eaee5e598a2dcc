import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { checkExposition } from './prometheus-exposition.js';

describe('checkExposition', () => {
  const valid: [string, string, number][] = [
    ['counters with HELP and TYPE', '# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total{method="GET",code="200"} 1027 1395066363000\n', 1],
    ['a gauge without labels', 'korrigo_db_up 1\n', 1],
    ['special values and exponents', 'a +Inf\nb -Inf\nc NaN\nd 1.5e-3\ne .5\n', 5],
    ['escaped label values and a trailing comma', 'x{path="/a\\"b\\\\c\\n",} 3\n', 1],
    ['CRLF line endings and blank lines', '# TYPE up gauge\r\n\r\nup 1\r\n', 1],
    ['a histogram', 'h_bucket{le="0.1"} 3\nh_bucket{le="+Inf"} 5\nh_sum 1.2\nh_count 5\n', 4],
  ];
  for (const [name, text, samples] of valid) {
    it(`accepts ${name}`, () => assert.deepEqual(checkExposition(text), { ok: true, samples }));
  }

  const invalid: [string, string, RegExp][] = [
    ['the SPA index page a proxy serves for /metrics', '<!doctype html>\n<html><body><div id="app"></div></body></html>\n', /HTML/],
    ['an empty answer', '', /no sample/],
    ['only comments', '# HELP x y\n# TYPE x gauge\n', /no sample/],
    ['JSON', '{"status":"ok"}', /line 1: not a sample/],
    ['a sample without a value', 'up\n', /line 1/],
    ['a value that is not a number', 'up yes\n', /line 1/],
    ['an unquoted label value', 'x{a=b} 1\n', /line 1/],
    ['a bad TYPE', '# TYPE x thing\nx 1\n', /malformed # TYPE/],
    ['plain text after a valid sample', 'up 1\nService Unavailable\n', /line 2/],
  ];
  for (const [name, text, reason] of invalid) {
    it(`refuses ${name}`, () => {
      const result = checkExposition(text);
      assert.equal(result.ok, false);
      assert.match(result.reason ?? '', reason);
    });
  }
});
