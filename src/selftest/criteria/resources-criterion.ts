import { builtinJudges, type ResourceBudgetInput } from '../../checks/judges.js';
import type { Criterion, EvidenceMutation, MutationPlan } from '../evidence-mutations.js';

/** Resources: the first budgeted service pushed just past each of its budgets. */
export const resourcesCriterion: Criterion<'resources'> = {
  judge: builtinJudges.resources,
  mutations: (input: ResourceBudgetInput) => mutateResources(input),
};

function mutateResources(input: ResourceBudgetInput): MutationPlan {
  const mutations: EvidenceMutation[] = [];
  const budgeted = Object.entries(input.budgets).find(([service]) => input.services.some((s) => s.service === service));
  if (!budgeted) return { none: 'no sampled service has a budget' };
  const [name, budget] = budgeted;
  const withService = (change: (s: ResourceBudgetInput['services'][number]) => ResourceBudgetInput['services'][number]) => ({
    ...input,
    services: input.services.map((s) => (s.service === name ? change(s) : s)),
  });
  if (budget.memoryBytes !== undefined) {
    const peak = budget.memoryBytes + 1;
    mutations.push({ label: `${name} peaked one byte over its memory budget`, input: withService((s) => ({ ...s, memory: { ...s.memory, peakBytes: peak } })) });
  }
  if (budget.cpuPercent !== undefined) {
    const mean = budget.cpuPercent + 1;
    mutations.push({ label: `${name} used 1% more CPU on average than its budget`, input: withService((s) => ({ ...s, cpu: { peakPercent: Math.max(mean, s.cpu?.peakPercent ?? 0), meanPercent: mean } })) });
  }
  mutations.push({ label: `${name} was never sampled`, input: { ...input, services: input.services.filter((s) => s.service !== name) } });
  return { mutations };
}
