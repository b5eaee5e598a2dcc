import type { Clock } from '../../common/clock.js';
import { describeExit } from '../../common/exit-code.js';
import { RgStepError } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';
import { waitFor } from '../../common/wait.js';
import type { LocalService } from './local-service.js';

/**
 * Waits until a dependency is healthy (or, a one-shot job, exited 0) before its dependants
 * start; reacts to its events instead of polling blindly. Throws when it never will be.
 */
export async function waitForDependency(
  svc: LocalService,
  condition: 'healthy' | 'completed',
  opts: { clock: Clock; output: OutputSink; signal?: AbortSignal | undefined; logFile: string },
): Promise<void> {
  const name = svc.name;
  opts.output.line(`waiting for ${name} to be ${condition}`);
  // A dependency that crashes and is restarted by its policy never shows "exited" for long:
  // a restart during the wait ends it at once (Boot fails on any restart anyway), not 600 s later.
  const restartsBefore = svc.status().restartCount;
  const outcome = await waitFor(
    async () => {
      const status = svc.status();
      const restarted = status.restartCount > restartsBefore;
      if (condition === 'completed') {
        const done = status.state === 'exited';
        return { done: done && status.exitCode === 0, stop: done || restarted, value: status };
      }
      const dead = status.health === 'unhealthy' || status.state === 'exited' || restarted;
      return { done: status.health === 'healthy', stop: dead, value: status };
    },
    {
      // Beyond its own retry budget plus a margin the service will never get there.
      timeoutMs: 600_000,
      intervalMs: 250,
      clock: opts.clock,
      signal: opts.signal,
      wake: (wake) => {
        svc.on('event', wake);
        return () => svc.off('event', wake);
      },
    },
  );
  if (outcome.ok) return;
  const status = outcome.last ?? svc.status();
  const restarts = status.restartCount - restartsBefore;
  const what =
    restarts > 0
      ? `crash-looping (restarted ${restarts}× before it was ${condition}, last ${describeExit(status.exitCode)})`
      : status.state === 'exited'
        ? `exited (${describeExit(status.exitCode)})`
        : status.health === 'unhealthy'
          ? 'unhealthy'
          : `not ${condition} after 600s`;
  throw new RgStepError(`Service "${name}" is ${what}; its dependants cannot start.`, { hint: `Read its log: ${opts.logFile}` });
}
