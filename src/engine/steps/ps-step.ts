import { parseDuration } from '../../common/duration.js';
import type { ServiceStatus } from '../../drivers/stack-driver.js';
import type { StepHandler } from '../step-context.js';

/** Ready = running, and healthy where the service has a healthcheck. */
function isReady(status: ServiceStatus): boolean {
  return status.state === 'running' && (status.health === 'healthy' || status.health === 'none');
}

/**
 * Writes the service table; with `ready`, waits (up to the timeout) until every service is
 * running and healthy where it defines a healthcheck: the Boot criterion, "5/5".
 */
export const psStep: StepHandler<'ps'> = async (step, ctx) => {
  if (!step.ready) {
    ctx.log.line(await ctx.driver.ps());
    return { passed: true, detail: 'services listed' };
  }
  const timeoutMs = parseDuration(step.timeout ?? '120s') ?? 120_000;
  const deadline = ctx.clock.now() + timeoutMs;
  let statuses = await ctx.driver.services();
  // An empty list is not "all ready": [].every() is true, and 0/0 would pass Boot.
  const allReady = () => statuses.length > 0 && statuses.every(isReady);
  while (!allReady() && ctx.clock.now() < deadline) {
    const waiting = statuses.filter((s) => !isReady(s)).map((s) => `${s.name} (${s.state}/${s.health})`);
    ctx.log.progress(`waiting for ${waiting.length ? waiting.join(', ') : 'a service to appear'}; ${Math.ceil((deadline - ctx.clock.now()) / 1000)}s left`);
    await ctx.clock.sleep(250, ctx.signal);
    statuses = await ctx.driver.services();
  }
  ctx.log.line(await ctx.driver.ps());
  if (statuses.length === 0) {
    const detail = `no service found (0/${step.services ?? 'at least 1'})`;
    ctx.log.line(detail);
    return { passed: false, detail };
  }
  const ready = statuses.filter(isReady).length;
  const expected = step.services ?? statuses.length;
  const passed = ready === statuses.length && statuses.length === expected;
  const notReady = statuses.filter((s) => !isReady(s)).map((s) => `${s.name}: ${s.state}/${s.health}`);
  const detail = `${ready}/${expected} running+healthy${notReady.length ? ` (not ready: ${notReady.join(', ')})` : ''}${
    statuses.length !== expected ? ` (found ${statuses.length} services)` : ''
  }`;
  ctx.log.line(detail);
  return { passed, detail };
};
