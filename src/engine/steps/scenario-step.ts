import { runScenario } from '../../scenario/scenario-runner.js';
import type { StepHandler } from '../step-context.js';

/** Runs an HTTP scenario against baseUrl; its tagged steps give verdicts for other criteria. */
export const scenarioStep: StepHandler<'scenario'> = async (step, ctx) => {
  const result = await runScenario(step.scenario, {
    baseUrl: ctx.config.baseUrl,
    env: ctx.env,
    output: ctx.log,
    signal: ctx.signal,
    redactor: ctx.redactor,
    exec: (service, argv, output) => ctx.driver.exec(service, argv, { output, signal: ctx.signal }),
  });
  ctx.counts['e2e.runs'] = result.runs;
  ctx.counts['e2e.runsPassed'] = result.runsPassed;
  return { passed: result.passed, detail: result.detail, criteria: result.criteria };
};
