import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { splitUrlCredentials } from './credential-fetch.js';

describe('splitUrlCredentials: a URL credential becomes Basic auth', () => {
  const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;
  const cases: [string, string, string | undefined][] = [
    ['http://admin:pw@127.0.0.1:8088/x?y=1', 'http://127.0.0.1:8088/x?y=1', basic('admin:pw')],
    ['http://admin:p%40ss@h/', 'http://h/', basic('admin:p@ss')],
    ['https://tok_123@h/', 'https://h/', basic('tok_123:')],
    ['http://h/', 'http://h/', undefined],
    ['/relative', '/relative', undefined],
  ];
  for (const [input, url, authorization] of cases) {
    it(`splits ${input}`, () => assert.deepEqual(splitUrlCredentials(input), { url, authorization }));
  }
});
