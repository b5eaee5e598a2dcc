import { builtinJudges, type IdempotenceInput } from '../../checks/judges.js';
import type { Criterion } from '../evidence-mutations.js';

/** Idempotence: the second probe's output differs from the first. */
export const idempotenceCriterion: Criterion<'idempotence'> = {
  judge: builtinJudges.idempotence,
  mutations: (input: IdempotenceInput) => ({
    mutations: [{ label: 'the second probe output changed (one line added)', input: { ...input, after: { ...input.after, output: `${input.after.output}\nrelease-gate selftest: injected change` } } }],
  }),
};
