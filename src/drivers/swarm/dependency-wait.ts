import type { Clock } from '../../common/clock.js';
import { RgStepError } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';
import { waitFor } from '../../common/wait.js';
import type { ServiceStatus } from '../../model/stack.js';
import type { DeployWave } from './stack-file.js';

/** Budget of `up` for one dependency to meet its `depends_on` condition (compose waits the same way). */
const START_BUDGET_MS = 180_000;

/** What `docker compose up` waits for before starting a dependent service: the next deploy wave waits the same. */
export async function waitForDependency(
  w: DeployWave['waitFor'][number],
  services: () => Promise<ServiceStatus[]>,
  ctx: { stackName: string; clock: Clock; output: OutputSink; signal?: AbortSignal },
): Promise<void> {
  const want = { service_started: 'running', service_healthy: 'running and healthy', service_completed_successfully: 'completed (exit 0)' }[w.condition];
  ctx.output.line(`${w.for} waits for ${w.service}: ${want}`);
  const outcome = await waitFor(
    async () => {
      const slots = (await services()).filter((s) => s.name === w.service || s.name.startsWith(`${w.service}-`));
      const ok = (s: ServiceStatus) =>
        w.condition === 'service_completed_successfully'
          ? s.state === 'exited' && s.exitCode === 0
          : s.state === 'running' && (w.condition === 'service_started' || s.health === 'healthy' || s.health === 'none');
      // A dependency that failed (or turned unhealthy) will not become ready: compose fails the up too.
      const failed = slots.some((s) => s.restartCount > 0 || s.health === 'unhealthy' || (s.state === 'exited' && s.exitCode !== 0) || s.state === 'dead');
      const last = slots.map((s) => `${s.name} ${s.state}${s.health !== 'none' ? ` (${s.health})` : ''}${s.restartCount > 0 ? `, ${s.restartCount} restart(s)` : ''}`).join(', ') || 'no task';
      return { done: slots.length > 0 && slots.every(ok), value: last, stop: failed };
    },
    { timeoutMs: START_BUDGET_MS, intervalMs: 500, clock: ctx.clock, ...(ctx.signal ? { signal: ctx.signal } : {}) },
  );
  if (!outcome.ok) {
    throw new RgStepError(`${w.for} waits for ${w.service} to be ${want}: ${outcome.stopped ? 'it failed' : `not after ${START_BUDGET_MS / 1000}s`} (last: ${outcome.last ?? '?'}).`, {
      hint: `\`docker service ps ${ctx.stackName}_${w.service} --no-trunc\` and its logs show why.`,
    });
  }
}
