import { builtinJudges, type OutputInput } from '../../checks/judges.js';
import type { Criterion, EvidenceMutation, MutationPlan } from '../evidence-mutations.js';

/** Output: each assertion of the expectation broken by editing the captured lines. */
export const outputCriterion: Criterion<'output'> = {
  judge: builtinJudges.output,
  mutations: (input: OutputInput) => mutateOutput(input),
};

function mutateOutput(input: OutputInput): MutationPlan {
  const e = input.expectation;
  const mutations: EvidenceMutation[] = [];
  if (e.eachMatch !== undefined) {
    const re = new RegExp(e.eachMatch, 'd');
    const numeric = e.greaterThan !== undefined || e.lessThan !== undefined || e.equals !== undefined;
    const line = input.lines.find((l) => re.test(l));
    if (numeric && line !== undefined) {
      const m = re.exec(line) as RegExpExecArray;
      const span = m.indices?.groups?.['value'] ?? m.indices?.[1];
      const value = e.greaterThan !== undefined ? e.greaterThan : e.lessThan !== undefined ? e.lessThan : (e.equals as number) + 1;
      if (span) {
        const copy = `${line.slice(0, span[0])}${value}${line.slice(span[1])}`;
        mutations.push({ label: `one more line "${copy.trim()}"`, input: { ...input, lines: [...input.lines, copy] } });
      }
    }
    if ((e.atLeast ?? 1) > 0) mutations.push({ label: `no line matches ${e.eachMatch}`, input: { ...input, lines: input.lines.filter((l) => !new RegExp(e.eachMatch as string).test(l)) } });
  }
  const needle = e.contains?.[0];
  if (needle !== undefined) mutations.push({ label: `the output lacks "${needle}"`, input: { ...input, lines: input.lines.filter((l) => !l.includes(needle)) } });
  const unwanted = e.notContains?.[0];
  if (unwanted !== undefined) mutations.push({ label: `the output contains "${unwanted}"`, input: { ...input, lines: [...input.lines, unwanted] } });
  if (e.matches !== undefined) mutations.push({ label: 'the output is empty', input: { ...input, lines: [] } });
  return mutations.length ? { mutations } : { none: 'no output assertion can be broken by editing the output' };
}
