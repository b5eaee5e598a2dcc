import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { RgUsageError } from '../common/errors.js';
import { readVerifyKey } from '../evidence/attestation.js';
import { formatVerifyReport, verifyEvidence } from '../evidence/evidence-verifier.js';
import { compareRuns, formatComparison, formatComparisonMarkdown, parsePercent } from '../evidence/run-comparison.js';
import type { CompareOptions, VerifyOptions } from './cli-options.js';

function logDir(dir: string, which: string): string {
  const path = resolve(dir);
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new RgUsageError(`${which}: ${dir} is not a folder.`, 'Give the log dir of a run (LOG_DIR / --log-dir).');
  return path;
}

/** `release-gate verify DIR [--key PUB]`: 0 when every artifact is untouched (and signed by the key), 1 otherwise. */
export async function verifyCommand(dir: string, opts: VerifyOptions): Promise<number> {
  const path = logDir(dir, 'verify');
  const key = opts.key ? readVerifyKey(opts.key) : undefined;
  const report = await verifyEvidence(path, key);
  process.stdout.write(formatVerifyReport(report));
  return report.ok ? 0 : 1;
}

/** `release-gate compare A B`: 0 when B shows no regression against A, 1 otherwise. */
export async function compareCommand(a: string, b: string, opts: CompareOptions): Promise<number> {
  const maxSlowdownPct = opts.maxSlowdown === undefined ? null : parsePercent(opts.maxSlowdown);
  const comparison = compareRuns(logDir(a, 'compare A'), logDir(b, 'compare B'), { maxSlowdownPct });
  process.stdout.write(opts.markdown ? formatComparisonMarkdown(comparison) : formatComparison(comparison));
  return comparison.regressions.length === 0 ? 0 : 1;
}
