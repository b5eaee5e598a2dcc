import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  const cases: [string | number, number | null][] = [
    ['500ms', 500],
    ['180s', 180_000],
    ['3m', 180_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['2.5s', 2500],
    ['30', 30_000],
    [5, 5000],
    ['', null],
    ['soon', null],
    ['10 s', null],
    ['5d', null],
    [-1, null],
  ];
  for (const [input, expected] of cases) {
    it(`parses ${JSON.stringify(input)} as ${expected}`, () => assert.equal(parseDuration(input), expected));
  }
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [250, '250ms'],
    [1234, '1.2s'],
    [61_000, '1m01s'],
    [180_000, '3m00s'],
  ];
  for (const [input, expected] of cases) {
    it(`formats ${input} as ${expected}`, () => assert.equal(formatDuration(input), expected));
  }
});
