import { z } from 'zod';
import { constants } from 'node:os';
import { commandSchema, durationMs, durationSchema, envSchema, httpUrlSchema } from '../../common/schema-parts.js';

// The schema of one local service, apart from the driver kind: the kind loads the driver, and
// the driver's files read this type; kept in the kind file, the two imported each other.

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
    stopSignal: z
      .string()
      .default('SIGTERM')
      .refine((name) => name in constants.signals, { message: 'expected a signal name such as SIGTERM, SIGINT or SIGQUIT' })
      .describe("The signal that asks the service to stop (compose's stop_signal), sent to its process group"),
    stopGracePeriod: durationMs({ min: 0, default: '10s' }).describe("Time the service gets to exit after its stop signal before SIGKILL (compose's stop_grace_period)"),
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

/** One service of `stack.services`, as the schema outputs it. */
export type LocalServiceConfig = z.output<typeof localServiceSchema>;
