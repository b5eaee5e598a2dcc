import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { mergeComposeTrees } from './compose-merge.js';

describe('mergeComposeTrees: -f a -f b in order', () => {
  const cases: [string, unknown[], unknown][] = [
    ['a later scalar wins', [{ services: { web: { image: 'a' } } }, { services: { web: { image: 'b' } } }], { services: { web: { image: 'b' } } }],
    ['ports add up, each once', [{ services: { web: { ports: ['80:80'] } } }, { services: { web: { ports: ['80:80', '443:443'] } } }], { services: { web: { ports: ['80:80', '443:443'] } } }],
    ['a service of the override only is added', [{ services: { web: {} } }, { services: { api: { build: '.' } } }], { services: { web: {}, api: { build: '.' } } }],
    ['a healthcheck test is replaced, its other keys merged', [{ services: { web: { healthcheck: { test: ['CMD', 'a'], interval: '2s' } } } }, { services: { web: { healthcheck: { test: ['CMD', 'b'] } } } }], { services: { web: { healthcheck: { test: ['CMD', 'b'], interval: '2s' } } } }],
  ];
  for (const [name, trees, expected] of cases) it(name, () => assert.deepEqual(mergeComposeTrees(trees), expected));
});
