import { z } from 'zod';
import { judge } from '../checks/judges.js';
import { cleanExitCodes, formatGrace, judgedStops } from '../checks/shutdown-verdict.js';
import { formatDuration } from '../common/duration.js';
import { RgStepError, errorMessage } from '../common/errors.js';
import type { ServiceStop } from '../model/stack.js';
import { defineStepKind } from './step-kind.js';

/** Log lines of a service that did not stop cleanly, shown under the table (why it hung). */
const TAIL_LINES = 20;

function row(s: ServiceStop): string {
  const what = s.oneShot ? 'one-shot job, not judged' : 'not running at the stop, not judged';
  if (!s.running) return `${s.service}: ${what}${s.exitCode === null ? '' : ` (last exit ${s.exitCode})`}`;
  const how = s.killed ? `still running after its grace: SIGKILL, exit ${s.exitCode ?? '?'}` : `exit ${s.exitCode ?? '?'}`;
  return `${s.service}: ${s.signal}, grace ${formatGrace(s.graceMs)} → ${how} after ${formatDuration(s.stopMs)}`;
}

/**
 * Graceful shutdown, judged at teardown: the driver sends each long-running service its own stop
 * signal, dependents first, and each must exit within its grace period with 0 or 128 + that
 * signal (criterion Shutdown). It stops the stack, so it belongs after the log capture (an
 * `always` phase): the stability watch gives its verdict before it runs.
 */
export const shutdownStep = defineStepKind({
  name: 'shutdown',
  schema: z.strictObject({}),
  timeout: 'hard',
  disturbsStack: true,
  stopsStack: true,
  needs: () => ['shutdown'],
  title: () => 'Graceful shutdown: each service exits on its stop signal within its grace',
  async run(_step, ctx) {
    if (!ctx.driver.stopGracefully) {
      throw new RgStepError(`The ${ctx.driver.name} driver cannot stop services one by one with their stop signal.`, { hint: 'Drivers offering it: local, compose.' });
    }
    const stops = await ctx.driver.stopGracefully(ctx.log, ctx.signal);
    for (const s of stops) ctx.log.line(row(s));
    const judged = judgedStops(stops);
    if (judged.length === 0) {
      const detail = `not judged: no long-running service was running at the stop${stops.length > 0 ? ` (${stops.map((s) => s.service).join(', ')} not running)` : ''}`;
      ctx.log.line(detail);
      return { passed: false, detail, evidence: 0, stops, notJudged: { observedMs: 0, windowMs: 0, seen: 'no service running' } };
    }
    const verdict = judge('shutdown', { stops });
    ctx.log.line(verdict.detail);
    for (const s of judged.filter((j) => j.killed || j.exitCode === null || !cleanExitCodes(j.signal).includes(j.exitCode))) {
      ctx.log.line(`--- last ${TAIL_LINES} log lines of ${s.service} ---`);
      // Context for the reader, not evidence: a replica's name (`web-2`) is no compose service, and
      // logs that cannot be read must not cost the verdict.
      await ctx.driver.logs(s.service, { tail: TAIL_LINES, output: ctx.log, signal: ctx.signal }).catch((err: unknown) => ctx.log.line(`(its logs could not be read: ${errorMessage(err)})`));
    }
    return { passed: verdict.passed, detail: verdict.detail, evidence: judged.length, stops, judgements: [verdict] };
  },
});
