import { z } from 'zod';
import { isReadyService, judge } from '../checks/judges.js';
import { waitFor } from '../common/wait.js';
import type { ServiceStatus } from '../model/stack.js';
import type { StackWatch } from '../checks/stack-watch.js';
import { DEFAULT_WAIT_MS, defineStepKind } from './step-kind.js';

const isReady = (status: ServiceStatus): boolean => isReadyService(status);

/** Services that restarted since the watch began: never "running+healthy", whatever they show now. */
function restarted(statuses: ServiceStatus[], watch: StackWatch): string[] {
  return statuses.flatMap((s) => {
    const count = watch.restartsSince(s);
    if (count > 0) return [`${s.name} restarted ${count} time${count === 1 ? '' : 's'}`];
    return s.state === 'restarting' ? [`${s.name} is restarting`] : [];
  });
}

/**
 * Writes the service table; with `ready`, waits (up to the timeout) until every service is
 * running and healthy where it defines a healthcheck: the Boot criterion, "5/5". A service
 * that restarted (or crash-loops) before the check fails Boot at once.
 */
export const psStep = defineStepKind({
  name: 'ps',
  schema: z.strictObject({
    ready: z.boolean().default(false).describe('Wait (up to timeout) until every service runs, and is healthy where it has a healthcheck'),
    services: z.number().int().min(1).optional().describe('Number of services expected'),
  }),
  timeout: 'budget',
  bootsStack: true,
  needs: () => ['services'],
  title: (step) => (step.ready ? 'Services running and healthy' : 'Service table'),
  async run(step, ctx) {
    if (!step.ready) {
      ctx.log.line(await ctx.driver.ps());
      return { passed: true, detail: 'services listed' };
    }
    const watch = await ctx.watch();
    const outcome = await waitFor(
      async () => {
        const statuses = await ctx.driver.services();
        const broken = restarted(statuses, watch);
        // An empty list is not "all ready": [].every() is true, and 0/0 would pass Boot.
        const done = broken.length === 0 && statuses.length > 0 && statuses.every(isReady);
        return { done, value: statuses, stop: broken.length > 0 };
      },
      {
        timeoutMs: step.timeoutMs ?? DEFAULT_WAIT_MS,
        intervalMs: 500,
        clock: ctx.clock,
        signal: ctx.signal,
        wake: (wake) => watch.onEvent(wake),
        onWait: (statuses = [], remaining) => {
          const waiting = statuses.filter((s) => !isReady(s)).map((s) => `${s.name} (${s.state}/${s.health})`);
          ctx.log.progress(`waiting for ${waiting.length ? waiting.join(', ') : 'a service to appear'}; ${Math.ceil(remaining / 1000)}s left`);
        },
      },
    );
    const statuses = outcome.ok ? outcome.value : (outcome.last ?? []);
    ctx.log.line(await ctx.driver.ps());
    const boot = judge('boot', {
      services: statuses.map((s) => ({ name: s.name, state: s.state, health: s.health, exitCode: s.exitCode, oneShot: s.oneShot, restarts: watch.restartsSince(s) })),
      expected: step.services,
    });
    const { passed, detail } = boot;
    const broken = restarted(statuses, watch);
    ctx.log.line(detail);
    if (broken.length > 0) {
      for (const service of statuses.filter((s) => watch.restartsSince(s) > 0 || s.state === 'restarting')) {
        ctx.log.line(`--- last 30 log lines of ${service.name} ---`);
        await ctx.driver.logs(service.name, { tail: 30, output: ctx.log, signal: ctx.signal });
      }
    }
    return { passed, detail, evidence: statuses.length, judgements: [boot] };
  },
});
