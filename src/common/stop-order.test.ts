import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stopLevels } from './stop-order.js';

describe('stopLevels', () => {
  const cases: { name: string; deps: Record<string, string[]>; levels: string[][] }[] = [
    {
      name: 'korrigo-lite compose: nginx and worker, then backend, then db and redis',
      deps: { db: [], redis: [], backend: ['db', 'redis'], worker: ['backend'], nginx: ['backend'] },
      levels: [['worker', 'nginx'], ['backend'], ['db', 'redis']],
    },
    { name: 'korrigo-lite local: backend and worker, then db', deps: { db: [], backend: ['db'], worker: ['db'] }, levels: [['backend', 'worker'], ['db']] },
    { name: 'no dependencies: all at once', deps: { a: [], b: [] }, levels: [['a', 'b']] },
    { name: 'an unknown dependency is ignored', deps: { a: ['ghost'] }, levels: [['a']] },
    { name: 'a cycle stops together, after what depends on it', deps: { a: ['b'], b: ['a'], c: ['a'] }, levels: [['c'], ['a', 'b']] },
    { name: 'a chain', deps: { a: [], b: ['a'], c: ['b'] }, levels: [['c'], ['b'], ['a']] },
  ];
  for (const { name, deps, levels } of cases) it(name, () => assert.deepEqual(stopLevels(deps), levels));
});
