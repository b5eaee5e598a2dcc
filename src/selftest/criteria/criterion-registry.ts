/*
 * The criteria selftest can break, keyed by the judge a step records (see builtinJudges in
 * checks/judges.ts). To add one:
 *   1. write its judge in checks/judges.ts and add it to builtinJudges (steps call it there);
 *   2. add one file here, `<name>-criterion.ts`, exporting a Criterion<'<name>'>: the judge
 *      from builtinJudges and the mutations, defects that must each turn its verdict red
 *      (or `{ none: why }` when this evidence cannot be broken: the criterion is not proven);
 *   3. add one line to `criteria` below, and a `<name>-criterion.test.ts`: a healthy input
 *      passes the judge and each mutation fails it (assertEveryMutationFails in criterion.fixture.ts).
 * The mapped type below makes a judge without a criterion (so without mutations) a compile
 * error; criterion-registry.test.ts checks each entry holds the very judge the steps call.
 */
import type { JudgeName, Judgement } from '../../checks/judges.js';
import type { Criterion, MutationPlan } from '../evidence-mutations.js';
import { bootCriterion } from './boot-criterion.js';
import { exitCodeCriterion } from './exit-code-criterion.js';
import { httpAnswerCriterion } from './http-answer-criterion.js';
import { imageBudgetCriterion } from './image-budget-criterion.js';
import { idempotenceCriterion } from './idempotence-criterion.js';
import { logScanCriterion } from './log-scan-criterion.js';
import { outputCriterion } from './output-criterion.js';
import { resourcesCriterion } from './resources-criterion.js';
import { restoreCriterion } from './restore-criterion.js';
import { scenarioCriterion } from './scenario-criterion.js';
import { shutdownCriterion } from './shutdown-criterion.js';
import { stabilityCriterion } from './stability-criterion.js';
import { testsCriterion } from './tests-criterion.js';
import { upgradeCriterion } from './upgrade-criterion.js';

/** Every judge's criterion: its judge and its mutations. */
export const criteria: { [N in JudgeName]: Criterion<N> } = {
  'exit-code': exitCodeCriterion,
  output: outputCriterion,
  tests: testsCriterion,
  idempotence: idempotenceCriterion,
  'log-scan': logScanCriterion,
  'http-answer': httpAnswerCriterion,
  boot: bootCriterion,
  stability: stabilityCriterion,
  scenario: scenarioCriterion,
  'image-budget': imageBudgetCriterion,
  resources: resourcesCriterion,
  restore: restoreCriterion,
  shutdown: shutdownCriterion,
  upgrade: upgradeCriterion,
};

/** The mutations of one recorded judgement; `ownCriterion`: the criterion of the step that made it. */
export function mutationsOf(judgement: Judgement, ownCriterion: string | undefined): MutationPlan {
  return planOf(judgement, ownCriterion);
}

function planOf<N extends JudgeName>(judgement: Judgement<N>, ownCriterion: string | undefined): MutationPlan {
  const criterion: Criterion<N> = criteria[judgement.judge];
  return criterion.mutations(judgement.input, judgement, ownCriterion);
}
