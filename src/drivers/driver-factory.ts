import type { GateConfig } from '../config/schema.js';
import type { StackDriver } from './stack-driver.js';

export interface DriverContext {
  /** Project root the stack's relative paths resolve against. */
  root: string;
  /** Variables the stack must see (config env + generated secrets). */
  env: Record<string, string>;
  /** Private state folder (local driver). */
  stateDir: string;
  forceClean: boolean;
}

/** Picks the driver named by `stack.driver`; each is imported only when used. */
export async function createDriver(stack: GateConfig['stack'], ctx: DriverContext): Promise<StackDriver> {
  switch (stack.driver) {
    case 'local': {
      const { LocalDriver } = await import('./local/local-driver.js');
      return new LocalDriver({ services: stack.services, baseDir: ctx.root, env: ctx.env, stateDir: ctx.stateDir });
    }
    case 'compose': {
      const { ComposeDriver } = await import('./compose-driver.js');
      return new ComposeDriver({
        projectDir: ctx.root,
        files: Array.isArray(stack.file) ? stack.file : [stack.file],
        ...(stack.envFile ? { envFile: stack.envFile } : {}),
        ...(stack.project ? { projectName: stack.project } : {}),
        ...(stack.services ? { services: stack.services } : {}),
        forceClean: ctx.forceClean,
        minFreeDiskMb: stack.minFreeDiskMb,
        env: ctx.env,
      });
    }
  }
}
