import { runGroup, toArgv } from '../../drivers/process-group.js';
import type { StepHandler } from '../step-context.js';

/** Runs a command on this machine in the project root, e.g. to prepare a build context. */
export const hostStep: StepHandler<'host'> = async (step, ctx) => {
  const argv = toArgv(step.run);
  ctx.log.line(`$ [host] ${argv.join(' ')}`);
  const exitCode = await runGroup(step.run, {
    cwd: ctx.root,
    env: { ...process.env, ...ctx.config.env, ...step.env },
    signal: ctx.signal,
    onOutput: (chunk, stream) => ctx.log.write(chunk, stream),
  });
  ctx.log.line(`exit code ${exitCode}`);
  const passed = exitCode === step.exitCode;
  return { passed, exitCode, detail: passed ? `exit code ${exitCode}` : `exit code ${exitCode} (expected ${step.exitCode})` };
};
