import { z } from 'zod';
import { MAX_BUDGET_MS, parseDuration } from '../common/duration.js';
import { durationSchema, envSchema, httpUrlSchema, regexSchema } from '../common/schema-parts.js';
import { defaultReporterNames, reporterNames } from '../reporters/reporters.js';
import type { StepBase } from '../steps/step-kind.js';
import type { Registries } from './registries.js';

/*
 * The config file's schema, built from the registries: each step kind and driver brings the
 * schema of its own fields, so a new one needs no line here. Every field has a one-line
 * description: it feeds the JSON Schema (schema/release-gate.schema.json) and the docs.
 * Objects are strict so a typo is reported, not ignored.
 */

/** A step as the engine sees it: the common fields plus its kind's own, validated by the kind's schema. */
export type StepConfig = StepBase & Record<string, unknown>;
/** The stack as the engine sees it: the driver's name plus the driver's own fields. */
export type StackConfig = { driver: string } & Record<string, unknown>;

const stepBaseShape = {
  id: z.string().optional().describe('Id used by `extends` merging and --only/--skip; default: the log name'),
  log: z.string().min(1).describe('Artifact log name without .log; {window} is replaced by the stability window in seconds, {runs} by the runs'),
  title: z.string().optional().describe('Human title'),
  criterion: z.string().optional().describe('The criterion this step gives evidence for'),
  timeout: durationSchema({ min: 1, max: MAX_BUDGET_MS }).optional().describe('Budget of the step'),
};

/**
 * One schema over the registered kinds, told apart by `key` (`do`, `driver`). discriminatedUnion
 * wants two options or more; one registered kind is still a valid config. The registry erases each
 * kind's shape (a z.ZodObject of any shape), so zod can only type the output as
 * Record<string, unknown>, though every option has `key` and the common fields: `O` restates
 * that. This is the one cast of the config schema; the common fields are still validated.
 */
function registeredUnion<O extends Record<string, unknown>>(key: string, options: readonly z.ZodObject[]): z.ZodType<O> {
  const [first, second, ...rest] = options;
  if (first === undefined) throw new Error(`no ${key} registered`);
  const schema = second === undefined ? first : z.discriminatedUnion(key, [first, second, ...rest]);
  return schema as z.ZodType<Record<string, unknown>> as z.ZodType<O>;
}

/** The step's timeout is read once, here: a kind that waits gets `timeoutMs`; the text stays for messages. */
function withTimeoutMs(step: StepConfig): StepConfig {
  return step.timeout === undefined ? step : { ...step, timeoutMs: parseDuration(step.timeout) ?? undefined };
}

export function stepSchemaOf(registries: Registries): z.ZodType<StepConfig> {
  const options = registries.steps.map((kind) => kind.schema.extend({ ...stepBaseShape, do: z.literal(kind.name).describe(kind.name) }));
  return registeredUnion<StepConfig>('do', options).transform(withTimeoutMs);
}

export function stackSchemaOf(registries: Registries): z.ZodType<StackConfig> {
  const options = registries.drivers.map((kind) => kind.schema.extend({ driver: z.literal(kind.name) }));
  return registeredUnion<StackConfig>('driver', options).describe('The stack under test');
}

export function buildConfigSchema(registries: Registries) {
  const phaseSchema = z.strictObject({
    id: z.string().min(1).describe('Phase id (merged by id with `extends`)'),
    title: z.string().default('').describe('Human title'),
    always: z.boolean().default(false).describe('Runs even after a failure or an interrupt (log capture, summary)'),
    ifPassed: z
      .boolean()
      .default(false)
      .describe('Runs after the log capture, with the always phases, and only when the gate has passed so far: drills that take the stack down and up (upgrade)'),
    steps: z.array(stepSchemaOf(registries)),
  })
    // An ifPassed phase runs in the late stage, beside the always phases: one flag for the runner.
    .transform((phase) => (phase.ifPassed ? { ...phase, always: true } : phase));
  const names = reporterNames(registries.reporters) as [string, ...string[]];
  return z.strictObject({
    $schema: z.string().optional(),
    name: z.string().default('release-gate').describe('Name shown in the summary'),
    extends: z.union([z.string(), z.array(z.string())]).optional().describe('Preset name or path(s) merged under this file'),
    cwd: z.string().optional().describe('Project root commands run in (env ROOT); default: the config file folder'),
    logDir: z.string().optional().describe('Artifacts folder (env LOG_DIR); default /tmp/release_gate_<UTC timestamp>'),
    baseUrl: httpUrlSchema().default('http://localhost:8088').describe('Base URL of the application, for wait-http and scenarios'),
    deadline: durationSchema({ min: 1, max: MAX_BUDGET_MS }).optional().describe('Budget of the whole gate (--deadline): past it, the running step stops, logs and summary are still written'),
    env: envSchema.default({}).describe('Variables given to the stack and to exec steps'),
    secrets: z
      .strictObject({
        env: z.array(z.string()).default([]).describe('Environment variables whose values are redacted'),
        generate: z.array(z.string()).default([]).describe('Variables generated (random) when empty, passed to the stack and redacted'),
        patterns: z
          .array(regexSchema((source) => new RegExp(source, 'gd')).describe('Regex (JS syntax) of a secret; its groups are redacted, or the whole match'))
          .default([])
          .describe('Regexes redacted in every artifact (groups only when the regex has groups)'),
        allowShort: z
          .array(z.string())
          .default([])
          .describe('Declared secrets accepted with a value shorter than 6 characters: run, but NOT redacted (refused at load otherwise)'),
      })
      .default({ env: [], generate: [], patterns: [], allowShort: [] }),
    stack: stackSchemaOf(registries),
    criteria: z.record(z.string(), z.string()).default({}).describe('Criteria ids and titles, in summary order'),
    switches: z
      .record(
        z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name'),
        z.strictObject({
          values: z.array(z.string().min(1)).min(2).describe('The values allowed'),
          default: z.string().min(1).describe('The value when the variable is not set'),
          description: z.string().min(1).describe('What it changes, shown by plan and in the summary'),
        }),
      )
      .default({})
      .describe('Documented environment switches (e.g. an app generation): checked at load, shown in plan, the logs and the summary'),
    phases: z.array(phaseSchema).min(1),
    teardown: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Stop the stack at the end (--keep-up disables)'),
        // Default true: "always torn down" includes the data (a Postgres volume with seeded password hashes must not outlive the run).
        volumes: z.boolean().default(true).describe('Also remove volumes (compose) or data dirs (local) at the end; --keep-up keeps everything'),
      })
      .default({ enabled: true, volumes: true }),
    reporters: z
      .array(z.enum(names))
      .default([...defaultReporterNames])
      .describe('Reports written beside the logs (summary.json is always written)'),
  });
}

export type ConfigSchema = ReturnType<typeof buildConfigSchema>;
export type GateConfig = z.output<ConfigSchema>;
export type PhaseConfig = GateConfig['phases'][number];
