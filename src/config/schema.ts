import { z } from 'zod';
import { compilePatterns } from '../checks/log-scan.js';
import { parseDuration } from '../common/duration.js';
import { errorMessage, RgConfigError } from '../common/errors.js';
import { scenarioSchema } from '../scenario/scenario-schema.js';
import { outputExpectationSchema } from '../checks/output-expectation.js';

/*
 * The config file's schema. Every field has a one-line description: it feeds the JSON
 * Schema (schema/release-gate.schema.json) and the docs. Objects are strict so a typo is
 * reported, not ignored.
 */

const DURATION_EXPECTED = 'expected a duration such as 500ms, 30s, 3m or a number of seconds';

export const durationSchema = z
  .union([z.string(), z.number()], { error: DURATION_EXPECTED })
  .refine((v) => parseDuration(v) !== null, { message: DURATION_EXPECTED })
  .describe('A duration: 500ms, 30s, 3m, 1h, or a number of seconds');

/** A command: an argv array (no shell) or a string run by `sh -c`. */
export const commandSchema = z
  .union([z.array(z.string()).min(1), z.string().min(1)], {
    error: 'expected a command: a list of strings (argv, run without a shell) or a string run by sh -c',
  })
  .describe('A command: an argv list (run without a shell) or a string run by sh -c');

/**
 * A regex source, compiled at load exactly as the engine will compile it, so a bad one is a
 * config error (exit 2) and not a crash in the middle of a run.
 */
function regexSource(compile: (source: string) => unknown, description: string) {
  return z
    .string()
    .superRefine((source, ctx) => {
      try {
        compile(source);
      } catch (err) {
        // compilePatterns already words its message: `invalid regular expression "…": reason`.
        const reason = err instanceof RgConfigError ? err.issues.map((i) => i.message).join('; ') : `invalid regular expression "${source}": ${errorMessage(err)}`;
        ctx.addIssue({ code: 'custom', message: reason });
      }
    })
    .describe(description);
}

/** As the log scanner compiles them (`(?i)` prefix = case-insensitive). */
const logPatternSchema = (description: string) => regexSource((source) => compilePatterns([source], 'pattern'), description);
/** As the redactor compiles them. */
const secretPatternSchema = regexSource((source) => new RegExp(source, 'g'), 'Regex (JS syntax) of a secret; its groups are redacted, or the whole match');

const envSchema = z.record(z.string(), z.string()).describe('Environment variables');

const healthcheckSchema = z
  .strictObject({
    command: commandSchema.optional().describe('Healthy when this command exits 0'),
    http: z.string().optional().describe('Healthy when GET on this URL answers 2xx'),
    interval: durationSchema.default('1s').describe('Time between probes'),
    timeout: durationSchema.default('5s').describe('Budget of one probe'),
    retries: z.number().int().min(1).default(60).describe('Failed probes in a row before the service is unhealthy'),
    startPeriod: durationSchema.default('0s').describe('Failures during this period after a start do not count'),
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
      .record(z.string(), z.enum(['started', 'healthy']))
      .default({})
      .describe('Services to start first, and the condition to wait for'),
    restart: z.enum(['no', 'on-failure', 'always']).default('no').describe('Restart policy, as in Docker'),
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

const localStackSchema = z.strictObject({
  driver: z.literal('local').describe('Services are local processes declared here'),
  services: z.record(z.string(), localServiceSchema).describe('The services, by name'),
});

const composeStackSchema = z.strictObject({
  driver: z.literal('compose').describe('Docker Compose v2 (or v1) with the Engine API'),
  file: z.union([z.string(), z.array(z.string())]).describe('Compose file(s), as -f'),
  envFile: z.string().optional().describe('Passed as --env-file when the file exists'),
  project: z.string().optional().describe('Compose project name; default: derived from the config, stable per checkout'),
  services: z.array(z.string()).optional().describe('Services expected to run; default: all of the compose file'),
  minFreeDiskMb: z.number().int().min(0).default(2048).describe('Preflight fails below this free disk space'),
});

export const stackSchema = z.discriminatedUnion('driver', [localStackSchema, composeStackSchema]).describe('The stack under test');

const stepBase = {
  id: z.string().optional().describe('Id used by `extends` merging and --only/--skip; default: the log name'),
  log: z.string().min(1).describe('Artifact log name without .log; {window} is replaced by the stability window in seconds'),
  title: z.string().optional().describe('Human title'),
  criterion: z.string().optional().describe('The criterion this step gives evidence for'),
  timeout: durationSchema.optional().describe('Budget of the step'),
};

const downStep = z.strictObject({ ...stepBase, do: z.literal('down'), volumes: z.boolean().default(false).describe('Also remove volumes / data dirs') });
const buildStep = z.strictObject({ ...stepBase, do: z.literal('build'), noCache: z.boolean().default(false) });
const upStep = z.strictObject({ ...stepBase, do: z.literal('up') });
const psStep = z.strictObject({
  ...stepBase,
  do: z.literal('ps'),
  ready: z
    .boolean()
    .default(false)
    .describe('Wait (up to timeout) until every service runs, and is healthy where it has a healthcheck'),
  services: z.number().int().min(1).optional().describe('Number of services expected'),
});
const waitHttpStep = z.strictObject({
  ...stepBase,
  do: z.literal('wait-http'),
  url: z.string().describe('Absolute URL, or a path joined to baseUrl'),
  status: z.union([z.number().int(), z.array(z.number().int())]).default(200).describe('Expected status(es)'),
  headers: z.record(z.string(), z.string()).default({}),
  interval: durationSchema.default('1s'),
  service: z.string().optional().describe('Service whose last log lines are shown on timeout'),
});
const stabilityStep = z.strictObject({
  ...stepBase,
  do: z.literal('stability'),
  window: durationSchema.default('180s').describe('How long the stack must stay up without restart, exit, OOM or unhealthy turn'),
});
const execStep = z.strictObject({
  ...stepBase,
  do: z.literal('exec'),
  service: z.string().describe('Service to run the command in'),
  run: commandSchema,
  env: envSchema.default({}),
  exitCode: z.number().int().default(0).describe('Expected exit code'),
  expect: outputExpectationSchema.optional(),
  idempotence: z
    .strictObject({
      probe: commandSchema.describe('Command printing the state; its output before and after this step must be equal'),
      service: z.string().optional(),
    })
    .optional(),
  results: z
    .strictObject({
      junit: z.string().optional().describe('JUnit XML path inside the service, copied out and parsed'),
      xfail: z.enum(['fail', 'allow']).default('fail').describe('Whether xfailed tests count as skipped (fail) or are allowed'),
    })
    .optional()
    .describe('Judge a test run: 0 failed, 0 errors, 0 skipped'),
});
const hostStep = z.strictObject({
  ...stepBase,
  do: z.literal('host'),
  run: commandSchema.describe('Command run on this machine, in the project root (e.g. preparing a build context)'),
  env: envSchema.default({}),
  exitCode: z.number().int().default(0).describe('Expected exit code'),
});
const scenarioStep = z.strictObject({
  ...stepBase,
  do: z.literal('scenario'),
  scenario: scenarioSchema,
});
const logsStep = z.strictObject({
  ...stepBase,
  do: z.literal('logs'),
  service: z.string().optional().describe('One service; all when absent'),
  tail: z.number().int().min(1).optional(),
  scan: z
    .strictObject({
      patterns: z.array(logPatternSchema('Regex of an unwanted line')).min(1).describe('Regexes of unwanted lines'),
      allow: z.array(logPatternSchema('Regex of a line to ignore')).default([]).describe('Regexes of lines to ignore'),
    })
    .optional()
    .describe('Fail when an unallowed line matches'),
});
const psFinalStep = z.strictObject({ ...stepBase, do: z.literal('summary') });

export const stepSchema = z.discriminatedUnion('do', [
  downStep,
  buildStep,
  upStep,
  psStep,
  waitHttpStep,
  stabilityStep,
  execStep,
  hostStep,
  scenarioStep,
  logsStep,
  psFinalStep,
]);

export const phaseSchema = z.strictObject({
  id: z.string().min(1).describe('Phase id (merged by id with `extends`)'),
  title: z.string().default('').describe('Human title'),
  always: z.boolean().default(false).describe('Runs even after a failure or an interrupt (log capture, summary)'),
  steps: z.array(stepSchema),
});

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().default('release-gate').describe('Name shown in the summary'),
  extends: z.union([z.string(), z.array(z.string())]).optional().describe('Preset name or path(s) merged under this file'),
  cwd: z.string().optional().describe('Project root commands run in (env ROOT); default: the config file folder'),
  logDir: z.string().optional().describe('Artifacts folder (env LOG_DIR); default /tmp/release_gate_<UTC timestamp>'),
  baseUrl: z.string().default('http://localhost:8088').describe('Base URL of the application, for wait-http and scenarios'),
  env: envSchema.default({}).describe('Variables given to the stack and to exec steps'),
  secrets: z
    .strictObject({
      env: z.array(z.string()).default([]).describe('Environment variables whose values are redacted'),
      generate: z.array(z.string()).default([]).describe('Variables generated (random) when empty, passed to the stack and redacted'),
      patterns: z.array(secretPatternSchema).default([]).describe('Regexes redacted in every artifact (groups only when the regex has groups)'),
    })
    .default({ env: [], generate: [], patterns: [] }),
  stack: stackSchema,
  criteria: z.record(z.string(), z.string()).default({}).describe('Criteria ids and titles, in summary order'),
  phases: z.array(phaseSchema).min(1),
  teardown: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Stop the stack at the end (--keep-up disables)'),
      volumes: z.boolean().default(false).describe('Also remove volumes at the end'),
    })
    .default({ enabled: true, volumes: false }),
  reporters: z
    .array(z.enum(['json', 'junit', 'html', 'markdown']))
    .default(['json', 'junit', 'html'])
    .describe('Extra reports written beside the logs'),
});

export type GateConfig = z.output<typeof configSchema>;
export type StepConfig = z.output<typeof stepSchema>;
export type PhaseConfig = z.output<typeof phaseSchema>;
export type LocalServiceConfig = z.output<typeof localServiceSchema>;
export type StackConfig = z.output<typeof stackSchema>;
