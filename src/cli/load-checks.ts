import type { KeyObject } from 'node:crypto';
import { RgError, type ConfigIssue } from '../common/errors.js';
import type { Registries } from '../config/registries.js';
import { readSigningKey } from '../evidence/attestation.js';
import { readBaselineRun } from '../evidence/baseline-run.js';
import type { BaselineRun } from '../model/manifest.js';
import type { CliOptions } from './cli-options.js';
import { resolveRun, type ResolvedRun } from './resolve-run.js';

/**
 * Resolves a run with every check `run` makes before it starts anything or creates a folder:
 * the signing key, the baseline run, the stack's files (the driver kind's `check`), the log dir. `plan` calls it
 * too, so a plan that says yes is a run that starts (issue 25: plan exited 0 where run exited 2).
 */
export function resolveCheckedRun(opts: CliOptions, registries: Registries): { run: ResolvedRun; signKey: KeyObject | undefined; baseline: BaselineRun | undefined } {
  // A bad key is bad usage: found before anything runs, not after a ten-minute gate.
  const optionIssues: ConfigIssue[] = [];
  let signKey: KeyObject | undefined;
  try {
    signKey = opts.signKey ? readSigningKey(opts.signKey) : undefined;
  } catch (err) {
    if (!(err instanceof RgError) || err.exitCode !== 2) throw err;
    optionIssues.push({ where: '--sign-key', message: `${err.message.replace(/^--sign-key: /, '')}${err.hint ? ` ${err.hint}` : ''}` });
  }
  let baseline: BaselineRun | undefined;
  try {
    baseline = opts.baseline === undefined ? undefined : readBaselineRun(opts.baseline);
  } catch (err) {
    if (!(err instanceof RgError) || err.exitCode !== 2) throw err;
    optionIssues.push({ where: '--baseline', message: `${err.message.replace(/^--baseline: /, '')}${err.hint ? ` ${err.hint}` : ''}` });
  }
  const run = resolveRun(opts, process.cwd(), process.env, registries, { driver: true, logDir: true, issues: optionIssues });
  return { run, signKey, baseline };
}
