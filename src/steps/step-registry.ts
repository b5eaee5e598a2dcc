import { buildStep } from './build-step.js';
import { downStep } from './down-step.js';
import { execStep } from './exec-step.js';
import { hostStep } from './host-step.js';
import { imageBudgetStep } from './image-budget-step.js';
import { logsStep } from './logs-step.js';
import { psStep } from './ps-step.js';
import { resourcesStep } from './resources-step.js';
import { restoreDrillStep } from './restore-drill-step.js';
import { scenarioStep } from './scenario-step.js';
import { shutdownStep } from './shutdown-step.js';
import { stabilityStep } from './stability-step.js';
import type { StepKind } from './step-kind.js';
import { summaryStep } from './summary-step.js';
import { upStep } from './up-step.js';
import { upgradeStep } from './upgrade-step.js';
import { waitHttpStep } from './wait-http-step.js';

/** The built-in step kinds; `do:` in the config picks one. A new kind = one file + one line here. */
export const builtinStepKinds: readonly StepKind[] = [
  downStep,
  buildStep,
  upStep,
  psStep,
  waitHttpStep,
  stabilityStep,
  resourcesStep,
  execStep,
  hostStep,
  scenarioStep,
  restoreDrillStep,
  logsStep,
  imageBudgetStep,
  upgradeStep,
  shutdownStep,
  summaryStep,
];
