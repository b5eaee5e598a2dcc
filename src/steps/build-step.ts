import { z } from 'zod';
import { defineStepKind } from './step-kind.js';

/** Builds the stack's images (or local build commands). */
export const buildStep = defineStepKind({
  name: 'build',
  cacheSwitch: 'noCache',
  schema: z.strictObject({ noCache: z.boolean().default(false).describe('Build from scratch, without any cache') }),
  timeout: 'hard',
  needs: () => ['build'],
  title: (step) => (step.noCache ? 'Build without cache' : 'Build'),
  async run(step, ctx) {
    await ctx.driver.build({ noCache: step.noCache }, ctx.log, ctx.signal);
    return { passed: true, detail: step.noCache ? 'built without cache' : 'built' };
  },
});
