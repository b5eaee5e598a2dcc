import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { interpolateCompose } from './compose-interpolate.js';

describe('interpolateCompose', () => {
  const env = { SET: 'v', EMPTY: '' };
  const cases: [string, string][] = [
    ['${SET}', 'v'],
    ['${UNSET}', ''],
    ['${UNSET:-8088}', '8088'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['127.0.0.1:${UNSET:-8088}:80', '127.0.0.1:8088:80'],
    ['$$SET $SET', '$SET v'],
  ];
  for (const [input, expected] of cases) it(`${input} → ${expected}`, () => assert.equal(interpolateCompose(input, env), expected));
});
