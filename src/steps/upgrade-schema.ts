import { z } from 'zod';
import { gitRefProblem } from '../common/git-ref.js';
import { commandSchema, durationMs, envSchema, httpUrlSchema, regexSchema } from '../common/schema-parts.js';
import { scenarioSchema } from '../scenario/scenario-schema.js';
import { DEFAULT_WAIT_MS } from './step-kind.js';

/** The upgrade drill's fields (upgrade-step.ts), apart so the drill (upgrade-drill.ts) can type its step. */
export const upgradeSchema = z.strictObject({
  previous: z
    .strictObject({
      env: envSchema.default({}).describe('A switch: the same build started as the previous release with these variables (local: every service and exec; compose: interpolation)'),
      images: z.record(z.string(), z.string()).default({}).describe('Service → image reference of the previous release (compose), in a generated compose file after the project\'s'),
      ref: z
        .string()
        .trim()
        .superRefine((ref, issue) => {
          const problem = ref === '' ? null : gitRefProblem(ref);
          if (problem) issue.addIssue({ code: 'custom', message: `git ref ${JSON.stringify(ref)} refused: ${problem}` });
        })
        .default('')
        .describe(
          "A git ref of the project (tag, branch, sha) to build the previous release from (compose): checked out as a detached worktree, built from its own compose file(s) as `<project>-previous-<service>:<sha>` while the stability window runs; the worktree and tags are removed after",
        ),
      hint: z.string().optional().describe('What to set when no previous release is given, shown in the "not applicable" line (`set KORRIGO_PREVIOUS_REF`)'),
    })
    .describe('Where the previous release comes from; none given: the drill is "not applicable", never ✅'),
  service: z.string().describe('Service the commands run in (migrate, seed, probe)'),
  env: envSchema.default({}).describe('Variables given to every command of the drill (passwords travel here, never on a command line)'),
  ready: z
    .strictObject({
      url: httpUrlSchema({ relative: true }).describe('Absolute URL, or a path joined to baseUrl: the release is "up" once it answers'),
      status: z.union([z.number().int(), z.array(z.number().int())]).default(200).describe('Expected status(es)'),
      timeout: durationMs({ min: 1, default: `${DEFAULT_WAIT_MS / 1000}s` }).describe('How long each release may take to answer'),
      interval: durationMs({ min: 1, default: '250ms' }).describe('Longest pause between two attempts'),
    })
    .describe('What "up" waits for, for each release, before its commands run'),
  seed: z.array(commandSchema).min(1).describe("Commands run as the previous release to load its data (migrate, seed, a password): in order, the first failure stops the drill"),
  migrate: commandSchema.describe("The candidate's migrate: must pass on the previous release's data; run twice (the second must change nothing)"),
  migrateCheck: commandSchema.describe('"No pending migration": must exit 0 after the migrate'),
  probe: commandSchema.describe("The state fingerprint: its output on the candidate must equal the previous release's (or its declared change)"),
  expectChange: z
    .array(z.strictObject({ from: regexSchema((s) => new RegExp(s, 'gm')).describe('Regex over the previous release\'s probe output'), to: z.string().describe('What it becomes ($1… for groups)') }))
    .optional()
    .describe("A declared change of the probe's output: each replacement applied to the previous release's output gives what the candidate must print"),
  read: scenarioSchema.describe("The E2E read steps against the candidate on the previous release's data (log in, GET the old rows)"),
});

export type UpgradeStep = z.output<typeof upgradeSchema>;
