import { StabilityMonitor } from '../../checks/stability-watch.js';
import type { StepHandler } from '../step-context.js';

/*
 * The stack lifecycle steps are one driver call each, so they share a file: splitting
 * four three-line handlers would only scatter them.
 */

export const downStep: StepHandler<'down'> = async (step, ctx) => {
  await ctx.driver.down({ volumes: step.volumes }, ctx.log);
  return { passed: true, detail: step.volumes ? 'stack and volumes removed' : 'stack stopped' };
};

export const buildStep: StepHandler<'build'> = async (step, ctx) => {
  await ctx.driver.build({ noCache: step.noCache }, ctx.log);
  return { passed: true, detail: step.noCache ? 'built without cache' : 'built' };
};

export const upStep: StepHandler<'up'> = async (_step, ctx) => {
  // Watch before starting, so a crash during start-up and the health waits counts too.
  // The restart counters' baseline is taken before `up` too: compose's `up` waits for
  // dependencies to be healthy, and a policy restart during that wait must still count.
  const monitor = await StabilityMonitor.start(ctx.driver, ctx.clock);
  await monitor.snapshotBaseline();
  ctx.setStability(monitor);
  await ctx.driver.up(ctx.log, ctx.signal);
  ctx.log.line(await ctx.driver.ps());
  return { passed: true, detail: 'stack started' };
};
