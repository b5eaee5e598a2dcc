import { builtinJudges, type ScenarioInput } from '../../checks/judges.js';
import { clone, type Criterion, type EvidenceMutation } from '../evidence-mutations.js';

/**
 * Scenario: a bad status on the first answered step of each tagged criterion (which may fail the
 * scenario's own criterion too), and on the first untagged step of a run.
 */
export const scenarioCriterion: Criterion<'scenario'> = {
  judge: builtinJudges.scenario,
  mutations: (input: ScenarioInput, _judgement, own) => {
    const mutations: EvidenceMutation[] = [];
    for (const criterion of input.tagged) {
      const index = input.executions.findIndex((e) => e.criterion === criterion && e.status !== undefined);
      if (index < 0) continue;
      mutations.push({ ...badStatus(input, index), target: criterion, ...(own && own !== criterion ? { alsoFails: [own] } : {}) });
    }
    const plain = input.executions.findIndex((e) => e.where.startsWith('run ') && e.criterion === undefined && e.status !== undefined);
    if (plain >= 0) mutations.push(badStatus(input, plain));
    return mutations.length ? { mutations } : { none: 'no HTTP answer was recorded in a run' };
  },
};

function badStatus(input: ScenarioInput, index: number): EvidenceMutation {
  const execution = input.executions[index] as ScenarioInput['executions'][number];
  const expected = execution.expected ?? null;
  const status = [400, 500, 404, 403].find((s) => !(expected ?? []).includes(s)) as number;
  const mutated = clone(input);
  (mutated.executions[index] as ScenarioInput['executions'][number]).status = status;
  return { label: `${execution.where} ${execution.step}: HTTP ${status} instead of ${execution.status}`, input: mutated };
}
