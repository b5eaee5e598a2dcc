import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RgUsageError, errorMessage } from '../common/errors.js';
import { EVIDENCE_JSON_MAX_BYTES, parseJsonQuietly, readRegularText } from '../common/safe-file.js';
import { MANIFEST_FILE, type BaselineRun, type RunManifest } from '../model/manifest.js';
import { firstShapeProblem, manifestShape } from './run-summary-shape.js';

/**
 * The run `--baseline DIR` names, as the image budget compares with it: what each service ran
 * (image sizes and layers) from its manifest.json. Read once, before anything starts: a dir that
 * is not a run's log dir, or a manifest without the stack's figures, is a usage error (exit 2).
 */
export function readBaselineRun(dir: string): BaselineRun {
  const where = resolve(dir);
  const file = join(where, MANIFEST_FILE);
  if (!existsSync(file)) throw new RgUsageError(`--baseline: no ${MANIFEST_FILE} in ${where}.`, 'Give the log dir of an earlier `release-gate run` (its manifest.json holds the image sizes).');
  const text = readRegularText(file, { maxBytes: EVIDENCE_JSON_MAX_BYTES, within: where, what: `--baseline: ${MANIFEST_FILE}` });
  let parsed: unknown;
  try {
    parsed = parseJsonQuietly(text);
  } catch (err) {
    throw new RgUsageError(`--baseline: ${file} is ${errorMessage(err)}.`, 'Give the log dir of an earlier release-gate run.');
  }
  const problem = firstShapeProblem(manifestShape, parsed);
  if (problem) throw new RgUsageError(`--baseline: ${file} is not a release-gate manifest (${problem}).`, 'Give the log dir of an earlier release-gate run.');
  const stack = (parsed as RunManifest).stack;
  if (!('services' in stack)) throw new RgUsageError(`--baseline: the run in ${where} could not tell what its services ran (${stack.error}).`, 'Give a run whose manifest.json lists its services (a run that reached its stack).');
  return { dir: where, services: stack.services };
}
