import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Judgement } from '../../checks/judges.js';
import { assertEveryMutationFails } from './criterion.fixture.js';
import { httpAnswerCriterion } from './http-answer-criterion.js';

describe('http-answer criterion: mutations', () => {
  const answer = { status: 200, contentType: 'application/json', body: '{"status":"ok"}' };

  it('answers a status not expected (skipping the expected ones), and the SPA page when content is expected', () => {
    const labels = assertEveryMutationFails('http-answer', httpAnswerCriterion, { statuses: [200, 503], expect: { contentType: 'application/json' }, answer });
    assert.deepEqual(labels, ['HTTP 500 instead of 200', 'HTTP 200 with an HTML page instead of the expected content']);
  });

  it('only flips the status when no content is expected', () => {
    assert.deepEqual(assertEveryMutationFails('http-answer', httpAnswerCriterion, { statuses: [200], answer }), ['HTTP 503 instead of 200']);
  });

  it('says why when no answer was recorded', () => {
    const input = { statuses: [200], answer: null };
    const judgement: Judgement<'http-answer'> = { judge: 'http-answer', input, passed: false, detail: 'no answer' };
    assert.deepEqual(httpAnswerCriterion.mutations(input, judgement, undefined), { none: 'no answer was recorded' });
  });
});
