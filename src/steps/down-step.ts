import { z } from 'zod';
import { defineStepKind } from './step-kind.js';

/** Stops the stack; with volumes, also removes its data. */
export const downStep = defineStepKind({
  name: 'down',
  schema: z.strictObject({ volumes: z.boolean().default(false).describe('Also remove volumes / data dirs') }),
  timeout: 'hard',
  needs: () => ['lifecycle'],
  title: (step) => (step.volumes ? 'Stop the stack and remove volumes' : 'Stop the stack'),
  async run(step, ctx) {
    await ctx.driver.down({ volumes: step.volumes }, ctx.log);
    return { passed: true, detail: step.volumes ? 'stack and volumes removed' : 'stack stopped' };
  },
});
