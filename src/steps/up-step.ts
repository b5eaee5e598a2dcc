import { z } from 'zod';
import { defineStepKind } from './step-kind.js';

/** Starts the stack detached. The whole-run stability watch starts just before. */
export const upStep = defineStepKind({
  name: 'up',
  schema: z.strictObject({}),
  timeout: 'hard',
  bootsStack: true,
  needs: () => ['lifecycle'],
  title: () => 'Start the stack',
  async run(_step, ctx) {
    // Watch before starting, so a crash during start-up and the health waits counts too.
    await ctx.watch();
    await ctx.driver.up(ctx.log, ctx.signal);
    ctx.log.line(await ctx.driver.ps());
    return { passed: true, detail: 'stack started' };
  },
});
