import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { commandSchema, durationSchema, envSchema, httpUrlSchema } from '../../common/schema-parts.js';
import { defineDriverKind } from '../driver-kind.js';

const healthcheckSchema = z
  .strictObject({
    command: commandSchema.optional().describe('Healthy when this command exits 0'),
    http: httpUrlSchema().optional().describe('Healthy when GET on this URL answers 2xx'),
    interval: durationSchema({ min: 1 }).default('1s').describe('Time between probes'),
    timeout: durationSchema({ min: 1 }).default('5s').describe('Budget of one probe'),
    retries: z.number().int().min(1).default(60).describe('Failed probes in a row before the service is unhealthy'),
    startPeriod: durationSchema().default('0s').describe('Failures during this period after a start do not count'),
  })
  .refine((h) => (h.command === undefined) !== (h.http === undefined), {
    message: 'give exactly one of `command` or `http`',
  })
  .describe('How to tell the service is healthy');

export const localServiceSchema = z
  .strictObject({
    command: commandSchema.describe('The long-running process of the service'),
    cwd: z.string().optional().describe('Working directory, relative to the config file'),
    env: envSchema.default({}),
    healthcheck: healthcheckSchema.optional(),
    dependsOn: z
      .record(z.string(), z.enum(['started', 'healthy', 'completed']))
      .default({})
      .describe('Services to start first, and the condition to wait for (completed: a one-shot job that exited 0)'),
    restart: z.enum(['no', 'on-failure', 'always']).default('no').describe('Restart policy, as in Docker'),
    oneShot: z.boolean().default(false).describe('A job that runs once and exits 0 by design (migrations): judged by its exit code'),
    build: z
      .strictObject({
        command: commandSchema,
        outputs: z.array(z.string()).default([]).describe('Paths the build writes; removed first for a no-cache build'),
      })
      .optional()
      .describe('How to build the service'),
    dataDirs: z.array(z.string()).default([]).describe('Directories removed by `down` with volumes'),
    ports: z.array(z.coerce.number().int().min(1).max(65535)).default([]).describe('Ports the service listens on, checked free in preflight'),
  })
  .describe('A service run as a local process group');

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type LocalServiceConfig = z.output<typeof localServiceSchema>;

/**
 * Private state of the local driver (pid files, raw logs), stable per project root and resolved
 * stack: a rerun finds what an interrupted run left, while gates on other ports or data dirs
 * never meet. The stack is hashed as configured, `driver` included.
 */
export function localStateDir(stack: object, root: string): string {
  const key = createHash('sha256').update(root).update(JSON.stringify(stack)).digest('hex').slice(0, 12);
  return join(tmpdir(), `release-gate-local-${key}`);
}

/** Services are local process groups declared in the config: the embedded default, nothing beyond `npm ci`. */
export const localDriverKind = defineDriverKind({
  name: 'local',
  schema: z.strictObject({ services: z.record(z.string(), localServiceSchema).describe('The services, by name') }),
  describe: (stack) => `local (${Object.keys(stack.services).join(', ')})`,
  declaredServices: (stack) => Object.keys(stack.services),
  // Its processes are known by its state dir alone; shared data dirs are locked on their own (removes).
  lock: (stack, ctx) => ({ key: `local-${basename(localStateDir(stack, ctx.root))}`, label: `the local stack of ${ctx.configFile}` }),
  checkRaw(stack, report) {
    const services = stack['services'];
    if (!isMapping(services)) return;
    for (const [name, svc] of Object.entries(services)) {
      const dependsOn = isMapping(svc) ? svc['dependsOn'] : undefined;
      if (!isMapping(dependsOn)) continue;
      for (const [dep, condition] of Object.entries(dependsOn)) {
        const path = ['services', name, 'dependsOn', dep];
        const target = services[dep];
        if (!Object.hasOwn(services, dep)) report(path, `unknown service "${dep}"; declared: ${Object.keys(services).join(', ')}`);
        else if (condition === 'healthy' && !(isMapping(target) && target['healthcheck'] !== undefined)) {
          report(path, `"healthy" needs a healthcheck on service "${dep}"`);
        } else if (condition === 'completed' && !(isMapping(target) && target['oneShot'] === true)) {
          report(path, `"completed" needs \`oneShot: true\` on service "${dep}"`);
        }
      }
    }
  },
  // Resolved as the driver resolves them (LocalDriver.removable): data dirs against the root, build outputs against the service's cwd.
  removes: (stack, root) =>
    Object.entries(stack.services).flatMap(([name, svc]) => [
      ...svc.dataDirs.map((value, i) => ({ path: ['services', name, 'dataDirs', i], value, base: root, holds: 'data' as const })),
      ...(svc.build?.outputs ?? []).map((value, i) => ({ path: ['services', name, 'build', 'outputs', i], value, base: resolve(root, svc.cwd ?? '.'), holds: 'build' as const })),
    ]),
  async create(stack, ctx) {
    const { LocalDriver } = await import('./local-driver.js');
    return new LocalDriver({ services: stack.services, baseDir: ctx.root, env: ctx.env, stateDir: localStateDir(stack, ctx.root), clock: ctx.clock, portVariables: ctx.portVariables ?? {} });
  },
});
