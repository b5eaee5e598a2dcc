import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import type { StackCapability } from '../../model/stack.js';
import { defineDriverKind } from '../driver-kind.js';
import { localServiceSchema } from './local-service-config.js';

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Private state of the local driver (pid files, raw logs), stable per project root and resolved
 * stack: a rerun finds what an interrupted run left, while gates on other ports or data dirs
 * never meet. The stack is hashed as configured, `driver` included.
 */
export function localStateDir(stack: object, root: string): string {
  const key = createHash('sha256').update(root).update(JSON.stringify(stack)).digest('hex').slice(0, 12);
  return join(tmpdir(), `release-gate-local-${key}`);
}

/** What local processes cannot offer, and why. */
const NOT_LOCAL: Partial<Record<StackCapability, string>> = {
  images: 'local services run processes, not images (their build outputs are hashed in manifest.json)',
  // The config describes the candidate's commands and build only; an older tree may need others.
  'ref-releases':
    "the local driver cannot build a previous release from a git ref: its services' commands and build are the candidate's, an older tree may need others (give previous.env, a switch of the same build, or use Docker Compose)",
};

/** Services are local process groups declared in the config: the embedded default, nothing beyond `npm ci`. */
export const localDriverKind = defineDriverKind({
  name: 'local',
  schema: z.strictObject({ services: z.record(z.string(), localServiceSchema).describe('The services, by name') }),
  describe: (stack) => `local (${Object.keys(stack.services).join(', ')})`,
  declaredServices: (stack) => Object.keys(stack.services),
  notApplicable: (_stack, capability) => NOT_LOCAL[capability] ?? null,
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
