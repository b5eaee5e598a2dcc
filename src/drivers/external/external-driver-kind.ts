import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineDriverKind } from '../driver-kind.js';

const commandPrefix = z.array(z.string()).min(1);

/** Why an external target cannot offer each capability it lacks. */
const LIFECYCLE = 'an external deployment is not built, started or stopped by the gate';
const SERVICES = 'service state is not observable on an external target (no restart counters, no events)';

/** The target as the lock names it: origin and path, never credentials or a query. */
function targetOf(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return baseUrl;
  }
}

/**
 * A deployment already running at `baseUrl` (staging, a cluster, another host): the gate
 * waits for it over HTTP, runs the scenario against it, and execs/reads logs through the
 * configured commands. It never starts, builds or stops it: those steps are "not applicable".
 */
export const externalDriverKind = defineDriverKind({
  name: 'external',
  external: true,
  schema: z.strictObject({
    name: z.string().optional().describe('What the target is called in plan and summary (staging, prod-eu)'),
    services: z.array(z.string()).default([]).describe('Service names exec and logs steps may name'),
    exec: commandPrefix
      .optional()
      .describe('Command prefix that runs a command in a service; {service} is replaced and the command follows: [ssh, host, docker, exec, "app-{service}"], [kubectl, exec, "deploy/{service}", --]. Absent: exec steps are n/a'),
    quote: z
      .boolean()
      .default(false)
      .describe('Pass the command as one shell-quoted argument after the prefix (ssh joins its arguments into one remote shell line)'),
    logs: commandPrefix
      .optional()
      .describe('Command printing a service\'s logs; {service} and {tail} are replaced: [kubectl, logs, "deploy/{service}", "--tail={tail}"]. Absent: logs steps are n/a'),
    allLines: z.string().default('all').describe('What {tail} becomes when a step wants every line (docker: all, kubectl: -1, tail -n: +1)'),
  }),
  describe: (stack) =>
    `external${stack.name ? ` "${stack.name}"` : ''} (exec: ${stack.exec ? stack.exec.join(' ') : 'none'}; logs: ${stack.logs ? stack.logs.join(' ') : 'none'})`,
  // Nothing to tear down, but two gates' scenarios writing into one deployment mix their data.
  lock: (stack, ctx) => {
    const target = targetOf(ctx.baseUrl);
    return { key: `external-${createHash('sha256').update(target).digest('hex').slice(0, 16)}`, label: `the external target${stack.name ? ` "${stack.name}"` : ''} at ${target}` };
  },
  declaredServices: (stack) => (stack.services.length > 0 ? stack.services : null),
  notApplicable(stack, capability) {
    switch (capability) {
      case 'lifecycle':
      case 'build':
      case 'images':
      case 'shutdown':
      case 'releases':
      case 'ref-releases':
        return LIFECYCLE;
      case 'services':
      case 'usage':
        return SERVICES;
      case 'exec':
        return stack.exec ? null : 'no stack.exec command is configured for this external target';
      case 'logs':
        return stack.logs ? null : 'no stack.logs command is configured for this external target';
    }
  },
  async create(stack, ctx) {
    const { ExternalDriver } = await import('./external-driver.js');
    return new ExternalDriver({
      ...(stack.name ? { label: stack.name } : {}),
      services: stack.services,
      ...(stack.exec ? { exec: stack.exec } : {}),
      ...(stack.logs ? { logs: stack.logs } : {}),
      quote: stack.quote,
      allLines: stack.allLines,
      cwd: ctx.root,
      env: ctx.env,
    });
  },
});
