import { z } from 'zod';
import { judge } from '../checks/judges.js';
import { restoreDiff, type RestoreInput, type RestoreProbeRun } from '../checks/restore-verdict.js';
import { formatDuration } from '../common/duration.js';
import { describeExit } from '../common/exit-code.js';
import { toArgv } from '../common/process-group.js';
import { commandSchema, durationMs, envSchema } from '../common/schema-parts.js';
import { defineStepKind, type StepContext, type StepOutcome } from './step-kind.js';

const inService = (what: string) =>
  z
    .strictObject({
      service: z.string().describe('Service to run the command in'),
      run: commandSchema,
      env: envSchema.default({}),
    })
    .describe(what);

const restoreDrillSchema = z.strictObject({
  backup: inService("The app's backup command (or `pg_dump -Fc` in the db service)"),
  restore: inService('Restores that backup into a throwaway copy (database, schema or volume); its duration is the restore time'),
  probe: inService('Prints the state (a fingerprint) from the live data; run before the backup'),
  restoredProbe: z
    .strictObject({
      service: z.string().optional().describe("Default: the probe's service"),
      run: commandSchema.optional().describe("Default: the probe's command"),
      env: envSchema.default({}).describe("Added over the probe's env: what points the probe at the copy (`KORRIGO_LITE_DB_SCHEMA`)"),
      wrap: z
        .array(z.string())
        .min(1)
        .optional()
        .describe('An argv put before the probe\'s command, e.g. `[sh, -c, \'DATABASE_URL=… exec "$@"\', sh]` to rewrite a variable the service already has'),
    })
    .describe('The same probe against the restored copy: the probe with these overrides, so its code is written once'),
  cleanup: inService('Removes the throwaway copy; always runs, even after a failure'),
  rto: durationMs({ min: 1 }).optional().describe('Restore time budget: a restore that takes longer fails Restore'),
});
type RestoreDrillStep = z.output<typeof restoreDrillSchema>;
type InService = RestoreDrillStep['backup'];

/**
 * The restore drill: probe the live data, back it up, restore into a throwaway copy (timed),
 * probe the copy with the same probe, then remove the copy whatever happened. Restore passes
 * when both probes print the same thing and the restore time is within `rto`.
 */
export const restoreDrillStep = defineStepKind({
  name: 'restore-drill',
  schema: restoreDrillSchema,
  timeout: 'hard',
  needs: () => ['exec'],
  title: (step) => `Restore drill: backup in ${step.backup.service}, restore, compare the state probe${step.rto === undefined ? '' : ` (rto ${formatDuration(step.rto)})`}`,
  run: runRestoreDrill,
});

async function runRestoreDrill(step: RestoreDrillStep, ctx: StepContext): Promise<StepOutcome> {
  const input: RestoreInput = { backupExit: -1, ...(step.rto === undefined ? {} : { rtoMs: step.rto }) };
  let cleanupExit = 0;
  try {
    input.live = await run(ctx, 'probe (live data)', step.probe);
    // Before anything is restored, the copy's probe must fail or read something else: else it reads the live data.
    input.beforeRestore = await run(ctx, 'probe (restored copy, before the restore: must not read the live data)', restoredProbe(step));
    input.backupExit = (await run(ctx, 'backup', step.backup)).exitCode;
    if (input.backupExit === 0) {
      const startedAt = ctx.clock.now();
      input.restoreExit = (await run(ctx, 'restore', step.restore)).exitCode;
      input.restoreMs = ctx.clock.now() - startedAt;
      ctx.counts['restore.ms'] = input.restoreMs;
      ctx.log.line(`restore time: ${formatDuration(input.restoreMs)}${step.rto === undefined ? '' : ` (rto ${formatDuration(step.rto)})`}`);
      if (input.restoreExit === 0) input.restored = await run(ctx, 'probe (restored copy)', restoredProbe(step));
    }
  } finally {
    // Always: a copy left behind holds the app's data (password hashes) and blocks the next drill.
    // Cut short (timeout, Ctrl-C), the step may not run commands any more: the gate's teardown does it.
    if (!ctx.signal.aborted) cleanupExit = (await run(ctx, 'cleanup', step.cleanup)).exitCode;
    // Cut short before the cleanup, or during it (the exec is stopped with the step): again at teardown (it must be idempotent: dropdb --if-exists).
    if (ctx.signal.aborted) ctx.onTeardown(`restore drill cleanup in ${step.cleanup.service}`, () => lateCleanup(ctx, step.cleanup));
  }
  const verdict = judge('restore', input);
  if (input.live && input.restored && input.live.exitCode === 0 && input.restored.exitCode === 0 && !verdict.passed) {
    const diff = restoreDiff(input.live.output, input.restored.output);
    if (diff) {
      ctx.log.line('✗ the restored copy differs from the live data; first differing lines:');
      ctx.log.line(diff);
    }
  }
  ctx.log.line(`${verdict.passed ? '✓' : '✗'} ${verdict.detail}`);
  const cleanupFailed = cleanupExit === 0 ? [] : [`cleanup failed (exit ${cleanupExit}): the throwaway copy may be left behind`];
  return {
    passed: verdict.passed && cleanupFailed.length === 0,
    detail: [verdict.detail, ...cleanupFailed].join('; '),
    evidence: input.live ? input.live.output.split('\n').filter((l) => l.trim() !== '').length : 0,
    judgements: [verdict],
  };
}

async function lateCleanup(ctx: StepContext, cleanup: InService): Promise<void> {
  const { exitCode } = await run(ctx, 'cleanup', cleanup, false);
  if (exitCode !== 0) throw new Error(`restore drill cleanup in ${cleanup.service} failed (${describeExit(exitCode)}): the throwaway copy may be left behind`);
}

/** The probe with the restored copy's overrides: same code, pointed elsewhere. */
export function restoredProbe(step: Pick<RestoreDrillStep, 'probe' | 'restoredProbe'>): InService {
  const { probe, restoredProbe: over } = step;
  const command = toArgv(over.run ?? probe.run);
  return { service: over.service ?? probe.service, run: over.wrap ? [...over.wrap, ...command] : command, env: { ...probe.env, ...over.env } };
}

async function run(ctx: StepContext, label: string, command: InService, cancellable = true): Promise<RestoreProbeRun> {
  const argv = toArgv(command.run);
  ctx.log.line(`--- ${label}: [${command.service}] ${argv.join(' ')} ---`);
  const stop = ctx.log.capture();
  const { exitCode } = await ctx.driver.exec(command.service, argv, { env: command.env, output: ctx.log, ...(cancellable ? { signal: ctx.signal } : {}) });
  const output = stop().join('\n');
  if (exitCode !== 0) ctx.log.line(`✗ ${label}: ${describeExit(exitCode).replace(/^exit/, 'exit code')}`);
  return { output, exitCode };
}
