import type { JudgeInput, JudgeName, Judgement, Verdict } from '../checks/judges.js';

/** One defect injected into one judgement's recorded input. */
export interface EvidenceMutation {
  /** What was broken, in words: `a skipped testcase added to the report`. */
  label: string;
  input: unknown;
  /** The criterion it must fail, when not the step's own (a scenario step tagged `annotation`). */
  target?: string;
  /** Criteria that may fail with it: a 400 on the annotation step fails the E2E too. */
  alsoFails?: string[];
}

/** Mutations of a judgement, or why none can be built (the criterion is then not proven). */
export type MutationPlan = { mutations: EvidenceMutation[] } | { none: string };

/**
 * One criterion as selftest sees it: the judge a step calls (it lives in checks/, since steps
 * may not import selftest/), and the defects that must turn its verdict red.
 */
export interface Criterion<N extends JudgeName> {
  judge: (input: JudgeInput<N>) => Verdict;
  /** The injected defects: each makes the evidence what a broken release leaves. `ownCriterion`: the criterion of the step that judged. */
  mutations: (input: JudgeInput<N>, judgement: Judgement<N>, ownCriterion: string | undefined) => MutationPlan;
}

export const clone = <T>(value: T): T => structuredClone(value);
