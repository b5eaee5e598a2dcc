import { z } from 'zod';
import { pauseIntervals } from '../checks/pause-intervals.js';
import { formatEvent, type StabilityVerdict, type StackWatch } from '../checks/stack-watch.js';
import { MAX_STABILITY_WINDOW_MS, formatDuration } from '../common/duration.js';
import { writtenDuration } from '../common/schema-parts.js';
import { waitFor } from '../common/wait.js';
import { defineStepKind, type StepContext } from './step-kind.js';

/** How long to keep listening after a crash for the policy restart that follows. */
const SETTLE_MS = 1500;
/** How long a pause seen is given to end before the verdict, so the evidence says how long it was. */
const PAUSE_SETTLE_MS = 10_000;

/** The window as written (the title shows `180s`) and in ms; `--stability` is checked against the same bounds. */
const stabilityWindowSchema = writtenDuration({ min: 1, max: MAX_STABILITY_WINDOW_MS, default: '180s' });

/**
 * The Stability criterion. The stack is watched from `up` to the end of the run: any restart,
 * exit, OOM kill or unhealthy turn in that time fails it. The window is the minimum observed
 * time. In `overlap` mode (default) it is counted from `up`, where the watch began (boot is
 * watched time: the gate's floor is build + window + the phases the window overlaps), the
 * next phases run while it is watched and the gate waits out what is left before capturing
 * logs. `exclusive` idles through a window counted from this step, as the seed's `sleep 180`
 * after the health checks did, and goes on watching to the end all the same.
 */
export const stabilityStep = defineStepKind({
  name: 'stability',
  schema: z.strictObject({
    window: stabilityWindowSchema.describe('Minimum time the stack is watched without restart, exit, OOM or unhealthy turn'),
    mode: z
      .enum(['overlap', 'exclusive'])
      .default('overlap')
      .describe('overlap: later phases run during the window; exclusive: idle through the window first'),
  }),
  timeout: 'budget',
  watchesStability: true,
  needs: () => ['services'],
  title: (step) => `Stability window (${step.window.text}, ${step.mode})`,
  logName: (step) => step.log.replaceAll('{window}', String(Math.round(step.window.ms / 1000))),
  async run(step, ctx) {
    const windowMs = step.window.ms;
    const watch = await ctx.watch();
    const services = await ctx.driver.services();
    const windowStart = step.mode === 'overlap' ? watch.startedAt : ctx.clock.now();
    ctx.log.line(
      `watching ${services.length} services from up to the final verdict; minimum window ${formatDuration(windowMs)} counted from ${
        step.mode === 'overlap' ? 'up' : 'this step'
      } at ${new Date(windowStart).toISOString()} (${step.mode === 'overlap' ? 'the next phases run meanwhile' : 'idle until it ends'})`,
    );
    ctx.log.line(await ctx.driver.ps());
    for (const event of watch.eventsSoFar()) ctx.log.line(formatEvent(event));
    // Events are written as they happen: the log tells when, not only what.
    const stopStreaming = watch.onEvent((event) => ctx.log.line(formatEvent(event)));
    const broken = () => watch.problemsSoFar().length > 0;

    const minimum = async (signal: AbortSignal) => {
      const left = windowMs - (ctx.clock.now() - windowStart);
      if (left <= 0 || broken()) return;
      await waitFor(async () => ({ done: broken(), value: null }), {
        timeoutMs: left,
        intervalMs: 1000,
        clock: ctx.clock,
        signal,
        wake: (wake) => watch.onEvent(wake),
        onWait: (_last, remaining) => ctx.log.progress(`stability window: nothing broke so far; ${formatDuration(remaining)} left`),
      });
    };
    if (step.mode === 'exclusive') await minimum(ctx.signal);

    const finish = async () => {
      await settle(ctx, watch);
      stopStreaming();
      const observed = ctx.clock.now() - windowStart;
      const { verdict, input } = await watch.judgeWithEvidence({ ms: windowMs, observedMs: observed });
      await writeVerdict(ctx, verdict, observed);
      const judgements = [{ judge: 'stability' as const, input, passed: verdict.passed, detail: verdict.detail }];
      // Nothing broke, the window was cut short: not judged (the engine knows whether the gate stopped).
      if (verdict.cutShort) return { passed: false, detail: verdict.detail, notJudged: { ...verdict.cutShort, seen: `${verdict.restarts} restarts seen` }, judgements };
      return { passed: verdict.passed, detail: verdict.detail, judgements };
    };
    return { passed: true, detail: 'watching', pending: { minimum, broken, finish } };
  },
  async judgeUnreached(_step, ctx) {
    // The gate stopped before the window: what the watch saw since `up` is still evidence.
    const watch = await ctx.watch();
    if (watch.problemsSoFar().length === 0) return null;
    await settle(ctx, watch);
    const { verdict, input } = await watch.judgeWithEvidence(null);
    ctx.log.line('the gate stopped before this window; what the whole-run watch saw since up:');
    for (const event of watch.eventsSoFar()) ctx.log.line(formatEvent(event));
    await writeVerdict(ctx, verdict, null);
    return { passed: false, detail: verdict.detail, judgements: [{ judge: 'stability' as const, input, passed: verdict.passed, detail: verdict.detail }] };
  },
});

/**
 * A policy restart follows a crash within a second or so: wait for it, it is evidence too. A
 * pause still open is given up to PAUSE_SETTLE_MS to end (woken by the unpause), so the verdict
 * can say how long it lasted; past that it reads "still paused".
 */
async function settle(ctx: StepContext, watch: StackWatch): Promise<void> {
  const lastProblem = watch.problemsSoFar().at(-1);
  if (!lastProblem) return;
  const since = ctx.clock.now() - lastProblem.at.getTime();
  if (since < SETTLE_MS) await ctx.clock.sleep(SETTLE_MS - since).catch(() => undefined);
  const paused = () => {
    const pauses = pauseIntervals(watch.eventsSoFar(), new Date(ctx.clock.now()));
    // After the unpause, Docker keeps the health the failed probes left until the next one passes.
    return pauses.some((p) => p.to === null || lastHealth(watch, p.service) === 'unhealthy');
  };
  if (!paused()) return;
  ctx.log.line(`a service is paused: waiting up to ${formatDuration(PAUSE_SETTLE_MS)} for its unpause and next health check, to tell how long it lasted`);
  // Interrupted (SIGINT): judge what was seen; the interruption itself is reported by the run.
  await waitFor(async () => ({ done: !paused(), value: null }), { timeoutMs: PAUSE_SETTLE_MS, intervalMs: 1000, clock: ctx.clock, signal: ctx.signal, wake: (wake) => watch.onEvent(wake) }).catch(() => undefined);
}

function lastHealth(watch: StackWatch, service: string): string | undefined {
  const health = watch.eventsSoFar().filter((e) => e.service === service && e.kind === 'health');
  return health[health.length - 1]?.health;
}

async function writeVerdict(ctx: StepContext, verdict: StabilityVerdict, sinceWindowMs: number | null): Promise<void> {
  ctx.log.line(await ctx.driver.ps());
  if (!verdict.passed) await describeProblems(ctx, verdict.problems);
  ctx.log.line(`observed ${formatDuration(verdict.observedMs)} since up${sinceWindowMs === null ? '' : ` (${formatDuration(sinceWindowMs)} since the window began)`}`);
  ctx.log.line(verdict.detail);
  ctx.counts['stability.restarts'] = verdict.restarts;
  if (verdict.pauses > 0) ctx.counts['stability.pauses'] = verdict.pauses;
  ctx.counts['stability.observedMs'] = verdict.observedMs;
}

async function describeProblems(ctx: StepContext, problems: { service: string; at: Date; what: string }[]): Promise<void> {
  for (const problem of problems) ctx.log.line(`UNSTABLE ${problem.service} at ${problem.at.toISOString()}: ${problem.what}`);
  for (const service of new Set(problems.map((p) => p.service))) {
    ctx.log.line(`--- last 30 log lines of ${service} ---`);
    await ctx.driver.logs(service, { tail: 30, output: ctx.log });
  }
}
