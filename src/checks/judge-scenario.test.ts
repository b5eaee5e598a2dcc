import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeScenario, type ScenarioExecution } from './judges.js';

const ok = (where: string, step: string, criterion?: string): ScenarioExecution => ({ where, step, criterion, status: 201, expected: [201] });

describe('judgeScenario: criteria tagged on scenario steps', () => {
  it('reads "not judged" for a tagged step an earlier failure kept from running: one defect, one red', () => {
    const verdict = judgeScenario({ runs: 3, tagged: ['annotation'], executions: [ok('setup', 'login'), { where: 'run 1/3', step: 'lock', status: 409, expected: [201, 200] }] });
    assert.equal(verdict.passed, false);
    assert.deepEqual(verdict.criteria?.['annotation'], { passed: false, notJudged: true, detail: 'not judged: the scenario stopped at run 1/3 lock: HTTP 409 (expected 201 or 200)' });
  });

  it('keeps ❌ "not run" for a tagged step that never ran in a scenario that passed (a hole in the evidence)', () => {
    const verdict = judgeScenario({ runs: 1, tagged: ['annotation'], executions: [ok('setup', 'login'), ok('run 1/1', 'lock')] });
    assert.equal(verdict.passed, true);
    assert.deepEqual(verdict.criteria?.['annotation'], { passed: false, detail: 'not run' });
  });

  it('keeps ❌ for a tagged step that ran and failed', () => {
    const verdict = judgeScenario({ runs: 1, tagged: ['annotation'], executions: [ok('setup', 'login'), { where: 'run 1/1', step: 'annotate', criterion: 'annotation', status: 400, expected: [201] }] });
    assert.equal(verdict.criteria?.['annotation']?.passed, false);
    assert.equal(verdict.criteria?.['annotation']?.notJudged, undefined);
  });
});
