import * as assert from 'node:assert/strict';
import type { JudgeInput, JudgeName, Judgement } from '../../checks/judges.js';
import type { Criterion, EvidenceMutation } from '../evidence-mutations.js';

/**
 * Asserts a criterion's healthy input passes its judge and that each of its mutations makes the
 * judge fail (a targeted one fails its target criterion too); returns the mutations' labels.
 */
export function assertEveryMutationFails<N extends JudgeName>(name: N, criterion: Criterion<N>, healthy: JudgeInput<N>, own?: string): string[] {
  const verdict = criterion.judge(healthy);
  assert.ok(verdict.passed, `the healthy input fails: ${verdict.detail}`);
  const judgement: Judgement<N> = { judge: name, input: healthy, ...verdict };
  const plan = criterion.mutations(healthy, judgement, own);
  assert.ok('mutations' in plan, `no mutation: ${'none' in plan ? plan.none : ''}`);
  for (const m of plan.mutations as EvidenceMutation[]) {
    const broken = criterion.judge(m.input as JudgeInput<N>);
    assert.equal(broken.passed, false, `${m.label}: stayed passed (${broken.detail})`);
    if (m.target !== undefined) assert.equal(broken.criteria?.[m.target]?.passed, false, `${m.label}: ${m.target} stayed passed`);
  }
  return plan.mutations.map((m) => m.label);
}
