import type { ScenarioContext } from '../scenario/scenario-runner.js';
import type { StepContext } from './step-kind.js';

/** What a scenario gets from the step running it: the target, the log, the stack's exec for its `exec:` steps. */
export function scenarioContext(ctx: StepContext): ScenarioContext {
  return {
    baseUrl: ctx.baseUrl,
    env: ctx.env,
    output: ctx.log,
    signal: ctx.signal,
    redactor: ctx.redactor,
    clock: ctx.clock,
    exec: (service, argv, output, signal) => ctx.driver.exec(service, argv, { output, signal }),
  };
}
