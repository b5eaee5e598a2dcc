import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertEveryMutationFails } from './criterion.fixture.js';
import { outputCriterion } from './output-criterion.js';

describe('output criterion: mutations', () => {
  it('breaks a numeric eachMatch by one more line at the bound, then by removing every matching line', () => {
    const labels = assertEveryMutationFails('output', outputCriterion, { lines: ['pages=3', 'pages=5'], expectation: { eachMatch: 'pages=(\\d+)', greaterThan: 0 } });
    assert.deepEqual(labels, ['one more line "pages=0"', 'no line matches pages=(\\d+)']);
  });

  it('breaks contains, notContains and matches by editing the lines', () => {
    const labels = assertEveryMutationFails('output', outputCriterion, { lines: ['migrated: ok', 'done'], expectation: { contains: ['migrated'], notContains: ['ERROR'], matches: 'done' } });
    assert.deepEqual(labels, ['the output lacks "migrated"', 'the output contains "ERROR"', 'the output is empty']);
  });

  it('says why when no assertion can be broken by editing the output (notMatches only)', () => {
    const plan = outputCriterion.mutations({ lines: ['ok'], expectation: { notMatches: 'ERROR' } }, { judge: 'output', input: { lines: ['ok'], expectation: {} }, passed: true, detail: '' }, undefined);
    assert.deepEqual(plan, { none: 'no output assertion can be broken by editing the output' });
  });
});
