import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { checkAssertion } from './assertion.js';
import type { AssertConfig } from './scenario-schema.js';

const page = { count: 2, next: null, results: [{ id: 1, status: 'GRADED' }, { id: 7, status: 'READY' }] };
const list = [{ id: 1 }, { id: 2 }, { id: 3 }];

describe('checkAssertion', () => {
  const cases: { a: AssertConfig; json: unknown; fails?: RegExp }[] = [
    { a: { path: '$.count', greaterThan: 0 }, json: page },
    { a: { path: '$.count', greaterThan: 0 }, json: { count: 0 }, fails: /\$\.count > 0: got 0/ },
    { a: { path: '$.count', greaterThan: 0 }, json: list, fails: /matched nothing/ },
    { a: { path: '$.length', greaterThan: 2 }, json: list },
    { a: { path: '$[count,length]', greaterThan: 0 }, json: page },
    { a: { path: '$[count,length]', greaterThan: 0 }, json: list },
    { a: { path: '$[count,length]', greaterThan: 0 }, json: [], fails: /got 0/ },
    { a: { path: '$.results.length', lessThan: 3 }, json: page },
    { a: { path: "$.results[?(@.status=='READY')].id", equals: 7 }, json: page },
    { a: { path: '$.results[0]', equals: { id: 1, status: 'GRADED' } }, json: page },
    { a: { path: '$.results[0].id', equals: 2 }, json: page, fails: /got 1/ },
    { a: { path: '$.next', exists: true }, json: page },
    { a: { path: '$.detail', exists: false }, json: page },
    { a: { path: '$.count', exists: false }, json: page, fails: /found 2/ },
    { a: { path: '$.results[0].status', greaterThan: 1 }, json: page, fails: /not a number/ },
  ];
  for (const c of cases) {
    it(`${c.fails ? 'fails' : 'holds'}: ${JSON.stringify(c.a)} on ${JSON.stringify(c.json).slice(0, 40)}`, () => {
      const failure = checkAssertion(c.a, c.json);
      if (c.fails) assert.match(failure ?? '(held)', c.fails);
      else assert.equal(failure, null);
    });
  }
});
