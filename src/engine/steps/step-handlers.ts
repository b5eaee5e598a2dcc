import type { StepConfig } from '../../config/schema.js';
import type { StepContext, StepHandler, StepOutcome } from '../step-context.js';
import { execStep } from './exec-step.js';
import { hostStep } from './host-step.js';
import { buildStep, downStep, upStep } from './lifecycle-steps.js';
import { logsStep } from './logs-step.js';
import { psStep } from './ps-step.js';
import { scenarioStep } from './scenario-step.js';
import { stabilityStep } from './stability-step.js';
import { waitHttpStep } from './wait-http-step.js';

/** The built-in step kinds; `do:` in the config picks one. `summary` is written by the runner. */
export const stepHandlers: { [K in Exclude<StepConfig['do'], 'summary'>]: StepHandler<K> } = {
  down: downStep,
  build: buildStep,
  up: upStep,
  ps: psStep,
  'wait-http': waitHttpStep,
  stability: stabilityStep,
  exec: execStep,
  host: hostStep,
  scenario: scenarioStep,
  logs: logsStep,
};

export function runHandler(step: Exclude<StepConfig, { do: 'summary' }>, ctx: StepContext): Promise<StepOutcome> {
  const handler = stepHandlers[step.do] as StepHandler<typeof step.do>;
  return handler(step as never, ctx);
}
