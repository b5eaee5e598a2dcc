import { z } from 'zod';
import { judge } from '../checks/judges.js';
import { runScenario } from '../scenario/scenario-runner.js';
import { scenarioSchema } from '../scenario/scenario-schema.js';
import { scenarioContext } from './scenario-context.js';
import { defineStepKind } from './step-kind.js';

/** Runs an HTTP scenario against baseUrl; its tagged steps give verdicts for other criteria. */
export const scenarioStep = defineStepKind({
  name: 'scenario',
  schema: z.strictObject({ scenario: scenarioSchema }),
  timeout: 'hard',
  probesCredentials: true,
  title: (step) => `HTTP scenario, ${step.scenario.runs} run(s)`,
  logName: (step) => step.log.replaceAll('{runs}', String(step.scenario.runs)),
  async run(step, ctx) {
    const result = await runScenario(step.scenario, {
      ...scenarioContext(ctx),
      ...(ctx.credentialProbes ? { credentialProbes: (probe) => ctx.credentialProbes?.({ ...probe, log: `${ctx.logName}.log`, criterion: probe.criterion ?? step.criterion }) } : {}),
      ...(ctx.credentialRequests ? { credentialRequests: (request) => ctx.credentialRequests?.({ ...request, log: `${ctx.logName}.log`, criterion: request.criterion ?? step.criterion }) } : {}),
    });
    // Runs started, not planned: a first run that failed is 1 run (issue 25: it said 3).
    ctx.counts['e2e.runs'] = result.runsStarted;
    ctx.counts['e2e.runsPassed'] = result.runsPassed;
    // The runner's verdict and the judge's over the recorded executions must both pass: the
    // judge is what `selftest` re-judges with a defect injected.
    const verdict = judge('scenario', { runs: result.runs, executions: result.executions, tagged: result.tagged });
    const criteria = Object.fromEntries(
      Object.entries(result.criteria).map(([id, v]) => {
        const judged = verdict.criteria?.[id];
        // The judge's word when it is stricter, or when it says why a step never ran ("not judged").
        return [id, judged && !judged.passed && (v.passed || judged.notJudged) ? judged : v];
      }),
    );
    const passed = result.passed && verdict.passed;
    const retried = result.retries.reduce((n, r) => n + r.times, 0);
    ctx.counts['e2e.retriedSteps'] = retried;
    const deviations = passed ? result.acceptedRetries(ctx.logName) : [];
    return {
      passed,
      detail: passed || !result.passed ? result.detail : verdict.detail,
      criteria,
      evidence: result.runsPassed,
      judgements: [verdict],
      latency: result.latency,
      ...(result.exchange && !passed ? { http: result.exchange } : {}),
      ...(result.retries.length > 0 ? { retries: result.retries } : {}),
      ...(deviations.length > 0 ? { deviations } : {}),
    };
  },
});
