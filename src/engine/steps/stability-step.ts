import { StabilityMonitor } from '../../checks/stability-watch.js';
import { formatDuration, parseDuration } from '../../common/duration.js';
import type { StepHandler } from '../step-context.js';

const BAD_EVENTS = new Set(['die', 'restart', 'oom']);
/** How long to keep listening after the first sign of instability. */
const SETTLE_MS = 1500;

/**
 * Holds the stack for the window and fails on any restart, exit, OOM kill or unhealthy turn
 * seen since the stack came up. Stops waiting as soon as something breaks: the verdict cannot
 * change back.
 */
export const stabilityStep: StepHandler<'stability'> = async (step, ctx) => {
  const windowMs = parseDuration(step.window) ?? 180_000;
  let monitor = ctx.stability;
  if (!monitor) {
    // No `up` in this run (--from/--only): watch from now on.
    monitor = await StabilityMonitor.start(ctx.driver, ctx.clock);
    await monitor.snapshotBaseline();
    ctx.setStability(monitor);
  }
  ctx.log.line(`watching ${(await ctx.driver.services()).length} services for ${formatDuration(windowMs)} (events counted since the stack came up)`);
  ctx.log.line(await ctx.driver.ps());
  const start = ctx.clock.now();
  const broken = () => monitor.eventsSoFar().some((e) => BAD_EVENTS.has(e.kind) || (e.kind === 'health' && e.health === 'unhealthy'));
  while (ctx.clock.now() - start < windowMs && !broken()) {
    const left = windowMs - (ctx.clock.now() - start);
    ctx.log.progress(`stability window: no restart, exit or unhealthy service so far; ${formatDuration(left)} left`);
    await ctx.clock.sleep(Math.min(500, left), ctx.signal);
  }
  if (broken()) {
    // A policy restart follows a crash within a second or so: wait for it, it is evidence too.
    await ctx.clock.sleep(Math.min(SETTLE_MS, Math.max(0, windowMs - (ctx.clock.now() - start))), ctx.signal);
  }
  const verdict = await monitor.judge(windowMs);
  for (const event of monitor.eventsSoFar()) {
    ctx.log.line(`event ${event.at.toISOString()} ${event.service} ${event.kind}${event.health ? ` ${event.health}` : ''}${event.exitCode === undefined ? '' : ` exit=${event.exitCode}`}${event.detail ? ` (${event.detail})` : ''}`);
  }
  ctx.log.line(await ctx.driver.ps());
  if (!verdict.passed) {
    for (const problem of verdict.problems) ctx.log.line(`UNSTABLE ${problem.service} at ${problem.at.toISOString()}: ${problem.what}`);
    for (const service of new Set(verdict.problems.map((p) => p.service))) {
      ctx.log.line(`--- last 30 log lines of ${service} ---`);
      await ctx.driver.logs(service, { tail: 30, output: ctx.log, signal: ctx.signal });
    }
  }
  ctx.log.line(verdict.detail);
  ctx.counts['stability.restarts'] = verdict.restarts;
  return { passed: verdict.passed, detail: verdict.detail };
};
