import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinJudges, judge, type JudgeName } from '../../checks/judges.js';
import { criteria, mutationsOf } from './criterion-registry.js';

describe('criterion registry', () => {
  it('holds, for every judge, exactly the judge the steps call (selftest re-judges with what the run used)', () => {
    assert.deepEqual(Object.keys(criteria).sort(), Object.keys(builtinJudges).sort());
    for (const name of Object.keys(builtinJudges) as JudgeName[]) assert.equal(criteria[name].judge, builtinJudges[name], name);
  });

  it("mutationsOf dispatches on the judgement's judge and passes the step's criterion", () => {
    assert.deepEqual(mutationsOf(judge('exit-code', { exitCode: 0, expected: 1 }), 'build'), { mutations: [{ label: 'the command exits 2 (expected 1)', input: { exitCode: 2, expected: 1 } }] });
  });
});
