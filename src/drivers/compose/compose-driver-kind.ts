import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { defineDriverKind } from '../driver-kind.js';
import { defaultProjectName } from './compose-project.js';

const filesOf = (file: string | string[]) => (Array.isArray(file) ? file : [file]);

/** The project the run works on: the driver and the lock must agree on it. */
const projectOf = (stack: { file: string | string[]; project?: string | undefined }, root: string) =>
  stack.project || defaultProjectName(resolve(root), filesOf(stack.file));

/** Docker Compose v2 (or v1) for the lifecycle, the Engine API for state, restarts and events. */
export const composeDriverKind = defineDriverKind({
  name: 'compose',
  schema: z.strictObject({
    file: z.union([z.string(), z.array(z.string())]).describe('Compose file(s), as -f'),
    envFile: z.string().optional().describe('Passed as --env-file when the file exists'),
    project: z.string().optional().describe('Compose project name; default: derived from the config, stable per checkout'),
    services: z.array(z.string()).optional().describe('Services expected to run; default: all of the compose file'),
    oneShot: z.array(z.string()).default([]).describe('One-shot jobs judged by their exit code (service_completed_successfully targets are found by themselves)'),
    minFreeDiskMb: z.number().int().min(0).default(2048).describe('Preflight fails below this free disk space'),
  }),
  envFile: (stack, root) => (stack.envFile ? resolve(root, stack.envFile) : null),
  // A project is one per engine: the same name from another checkout is the same containers and volumes.
  lock: (stack, ctx) => {
    const project = projectOf(stack, ctx.root);
    return { key: `compose-${project}`, label: `compose project "${project}"` };
  },
  describe: (stack) => `compose (${filesOf(stack.file).join(', ')})`,
  check(stack, root) {
    // A missing compose file is a config mistake: reported before anything runs (exit 2).
    return filesOf(stack.file)
      .filter((file) => !existsSync(resolve(root, file)))
      .map((file) => ({
        where: 'stack.file',
        message: `compose file not found: ${resolve(root, file)} (set COMPOSE_FILE, or ROOT to your checkout, or run from it)`,
      }));
  },
  async create(stack, ctx) {
    const { ComposeDriver } = await import('./compose-driver.js');
    return new ComposeDriver({
      projectDir: ctx.root,
      files: filesOf(stack.file),
      ...(stack.envFile ? { envFile: stack.envFile } : {}),
      projectName: projectOf(stack, ctx.root),
      ...(stack.services ? { services: stack.services } : {}),
      oneShot: stack.oneShot,
      forceClean: ctx.forceClean,
      minFreeDiskMb: stack.minFreeDiskMb,
      env: ctx.env,
      portVariables: ctx.portVariables ?? {},
    });
  },
});
