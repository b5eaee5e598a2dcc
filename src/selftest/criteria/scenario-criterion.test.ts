import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScenarioInput } from '../../checks/judges.js';
import { assertEveryMutationFails } from './criterion.fixture.js';
import { scenarioCriterion } from './scenario-criterion.js';

describe('scenario criterion: mutations', () => {
  const input: ScenarioInput = {
    runs: 1,
    tagged: ['annotation'],
    executions: [
      { where: 'setup', step: 'login', status: 200, expected: null },
      { where: 'run 1/1', step: 'list', status: 200, expected: null },
      { where: 'run 1/1', step: 'annotate', criterion: 'annotation', status: 201, expected: [201] },
    ],
  };

  it('fails each tagged criterion on its own step (the E2E with it), then an untagged step of a run', () => {
    const plan = scenarioCriterion.mutations(input, { judge: 'scenario', input, passed: true, detail: '' }, 'e2e');
    assert.ok('mutations' in plan);
    assert.deepEqual(plan.mutations.map((m) => [m.label, m.target, m.alsoFails]), [
      ['run 1/1 annotate: HTTP 400 instead of 201', 'annotation', ['e2e']],
      ['run 1/1 list: HTTP 400 instead of 200', undefined, undefined],
    ]);
    assertEveryMutationFails('scenario', scenarioCriterion, input, 'e2e');
  });

  it('says why when no step of a run recorded an HTTP answer', () => {
    const setupOnly: ScenarioInput = { runs: 0, tagged: [], executions: [{ where: 'setup', step: 'login', status: 200, expected: null }] };
    assert.deepEqual(scenarioCriterion.mutations(setupOnly, { judge: 'scenario', input: setupOnly, passed: true, detail: '' }, undefined), { none: 'no HTTP answer was recorded in a run' });
  });
});
