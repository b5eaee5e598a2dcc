import { z } from 'zod';
import { describeExit } from '../common/exit-code.js';
import { oneLineCommand, runGroup, toArgv } from '../common/process-group.js';
import { commandSchema, envSchema } from '../common/schema-parts.js';
import { defineStepKind } from './step-kind.js';

/** Runs a command on this machine in the project root, e.g. to prepare a build context. */
export const hostStep = defineStepKind({
  name: 'host',
  schema: z.strictObject({
    run: commandSchema.describe('Command run on this machine, in the project root (e.g. preparing a build context)'),
    env: envSchema.default({}),
    exitCode: z.number().int().default(0).describe('Expected exit code'),
  }),
  timeout: 'hard',
  title: (step) => `Run on the host: ${oneLineCommand(step.run)}`,
  async run(step, ctx) {
    ctx.log.line(`$ [host] ${toArgv(step.run).join(' ')}`);
    const { exitCode } = await runGroup(step.run, {
      cwd: ctx.root,
      env: { ...process.env, ...ctx.stackEnv, ...step.env },
      signal: ctx.signal,
      output: ctx.log,
    });
    const what = describeExit(exitCode).replace(/^exit/, 'exit code');
    ctx.log.line(what);
    const passed = exitCode === step.exitCode;
    return { passed, exitCode, detail: passed ? what : `${what} (expected ${step.exitCode})` };
  },
});
