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

/**
 * `release-gate verify DIR [--key PUB] [--image REF|DIGEST]`: 0 when every artifact is untouched
 * (and signed by the key) and, with --image, the signed test-result statement is PASSED for that
 * image; 1 otherwise. --image without --key is bad usage (2): an unsigned verdict vouches for nothing.
 */
export async function verifyCommand(dir: string, opts: VerifyOptions): Promise<number> {
  const path = logDir(dir, 'verify');
  if (opts.image !== undefined && !opts.key) throw new RgUsageError(`verify --image ${opts.image}: needs --key PUB.`, 'Only a statement signed by your key can vouch for an image: sign the run with --sign-key and verify with --key.');
  const key = opts.key ? readVerifyKey(opts.key) : undefined;
  const imageHexes = opts.image === undefined ? [] : await (await import('../evidence/image-digests.js')).imageDigests(opts.image);
  const report = await verifyEvidence(path, key);
  process.stdout.write(formatVerifyReport(report));
  if (opts.image === undefined || !key) return report.ok ? 0 : 1;
  const { checkImageVerdict } = await import('../evidence/image-verdict.js');
  const verdict = checkImageVerdict(path, imageHexes, opts.image, key);
  for (const problem of verdict.problems) process.stdout.write(`✗ ${problem}\n`);
  const ok = report.ok && verdict.ok;
  process.stdout.write(ok ? `✅ ${opts.image}: tested by this run, result PASSED, signed\n` : `❌ ${opts.image}: this run does not vouch for it${report.ok ? '' : ' (and the evidence is not intact)'}\n`);
  return ok ? 0 : 1;
}

/** `release-gate compare A B`: 0 when B shows no regression against A, 1 otherwise. */
export async function compareCommand(a: string, b: string, opts: CompareOptions): Promise<number> {
  const maxSlowdownPct = opts.maxSlowdown === undefined ? null : parsePercent(opts.maxSlowdown);
  const comparison = compareRuns(logDir(a, 'compare A'), logDir(b, 'compare B'), { maxSlowdownPct });
  process.stdout.write(opts.markdown ? formatComparisonMarkdown(comparison) : formatComparison(comparison));
  return comparison.regressions.length === 0 ? 0 : 1;
}
