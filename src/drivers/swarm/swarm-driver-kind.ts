import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { RgConfigError, type ConfigIssue } from '../../common/errors.js';
import { defaultProjectName } from '../compose/compose-project.js';
import { parseEndpoint, resolveEngineEndpoint } from '../docker/engine-endpoint.js';
import { checkRegistry } from './registry-push.js';
import type { StackCapability } from '../../model/stack.js';
import { defineDriverKind } from '../driver-kind.js';

/** The config problems a check throws, as a list (the kind's check() reports them all at once). */
function issuesOf(check: () => unknown): ConfigIssue[] {
  try {
    check();
    return [];
  } catch (err) {
    if (err instanceof RgConfigError) return err.issues;
    throw err;
  }
}

const filesOf = (file: string | string[]) => (Array.isArray(file) ? file : [file]);

/** The stack the run deploys: the driver and the lock must agree on it. */
const stackNameOf = (stack: { file: string | string[]; stack?: string | undefined }, root: string) =>
  stack.stack || defaultProjectName(resolve(root), filesOf(stack.file));

/**
 * The same compose file deployed on a Docker swarm with `docker stack deploy`: images built
 * locally by compose first, then observed through the Engine API (tasks, task replacements as
 * restarts, the task containers' health and events).
 */
/** What a swarm cannot offer, and why. */
const NOT_ON_A_SWARM: Partial<Record<StackCapability, string>> = {
  shutdown: 'a swarm service is stopped by removing it (docker stack rm), every service at once, with no per-service stop to time',
  releases: "the swarm driver does not start a previous release on the stack's data (run the upgrade drill on local processes or Docker Compose)",
};

export const swarmDriverKind = defineDriverKind({
  name: 'swarm',
  schema: z.strictObject({
    file: z.union([z.string(), z.array(z.string())]).describe('Compose file(s): resolved by `docker compose config`, then deployed as a stack'),
    envFile: z.string().optional().describe('Passed as --env-file to compose config and build when the file exists'),
    stack: z.string().optional().describe('Stack name; default: derived from the config, stable per checkout (as compose\'s project)'),
    services: z.array(z.string()).optional().describe('Services expected to run; default: all of the compose file'),
    oneShot: z.array(z.string()).default([]).describe('One-shot jobs (restart condition none), judged by their exit code'),
    publishMode: z
      .enum(['host', 'ingress'])
      .default('host')
      .describe('How ports are published: host (the task\'s port on this node) or ingress (the routing mesh, needs IPVS in the kernel)'),
    endpointMode: z
      .enum(['dnsrr', 'vip'])
      .default('dnsrr')
      .describe('How service names resolve: dnsrr (to the tasks\' addresses) or vip (a virtual IP, needs IPVS in the kernel)'),
    manager: z
      .string()
      .optional()
      .describe('The swarm manager\'s engine (unix:///…, tcp://host:port, ssh:// URL); default: DOCKER_HOST, else the Docker context in use, else the local socket'),
    nodeEngines: z
      .record(z.string(), z.string())
      .default({})
      .describe('Node hostname (or id) → its engine\'s endpoint: exec, copy, health, OOM, events and stats of a task placed on that node go through it. Every node that takes tasks needs one, except the manager'),
    registry: z
      .string()
      .optional()
      .describe('A registry every node pulls from (host[:port][/path]): the build step tags and pushes the built images there (up, when the build is skipped), deployed pinned to their digest with --with-registry-auth. Required on more than one node'),
  }),
  // A stack name is one per swarm: the same name from another checkout is the same services.
  lock: (stack, ctx) => {
    const name = stackNameOf(stack, ctx.root);
    return { key: `swarm-${name}`, label: `swarm stack "${name}"` };
  },
  // A swarm replaces a stopped task (its restart policy is the orchestrator's), and `docker stack
  // rm` stops every service at once: no per-service stop in dependency order to judge. A redeploy
  // updates services in place, task by task, with rollback rules of its own: not the "stop, keep
  // the volumes, start the other release" the upgrade drill judges. Said, never ✅.
  notApplicable: (_stack, capability) => NOT_ON_A_SWARM[capability] ?? null,
  envFile: (stack, root) => (stack.envFile ? resolve(root, stack.envFile) : null),
  describe: (stack) => `swarm stack${stack.stack ? ` ${stack.stack}` : ''} (${filesOf(stack.file).join(', ')})`,
  check(stack, root) {
    return [
      ...filesOf(stack.file)
        .filter((file) => !existsSync(resolve(root, file)))
        .map((file) => ({ where: 'stack.file', message: `compose file not found: ${resolve(root, file)} (set COMPOSE_FILE, or ROOT to your checkout, or run from it)` })),
      ...issuesOf(() => stack.manager && parseEndpoint(stack.manager, 'stack.manager')),
      ...Object.entries(stack.nodeEngines).flatMap(([node, endpoint]) => issuesOf(() => parseEndpoint(endpoint, `stack.nodeEngines.${node}`))),
      ...issuesOf(() => stack.registry !== undefined && checkRegistry(stack.registry)),
    ];
  },
  async create(stack, ctx) {
    const { SwarmDriver } = await import('./swarm-driver.js');
    const stackName = stackNameOf(stack, ctx.root);
    const manager = await resolveEngineEndpoint(stack.manager);
    parseEndpoint(manager.endpoint, manager.from);
    return new SwarmDriver({
      projectDir: ctx.root,
      files: filesOf(stack.file),
      ...(stack.envFile ? { envFile: stack.envFile } : {}),
      stackName,
      ...(stack.services ? { services: stack.services } : {}),
      oneShot: stack.oneShot,
      forceClean: ctx.forceClean,
      env: ctx.env,
      publishMode: stack.publishMode,
      endpointMode: stack.endpointMode,
      manager,
      nodeEngines: stack.nodeEngines,
      ...(stack.registry ? { registry: checkRegistry(stack.registry) } : {}),
      // Its stack file, <stack>.stack.json, removed after each deploy: one per stack name, as the
      // lock is; the folder goes with the run's last lock (nothing is left in the temp dir).
      stateDir: join(tmpdir(), 'release-gate'),
      clock: ctx.clock,
    });
  },
});
