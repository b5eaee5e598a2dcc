import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../common/errors.js';
import { EVIDENCE_JSON_MAX_BYTES, parseJsonQuietly, readRegularFile } from '../common/safe-file.js';
import { TEST_RESULT_FILE } from '../model/manifest.js';
import { openEnvelope } from './attestation.js';
import { IMAGE_SUBJECT_KINDS, TEST_RESULT_PREDICATE_TYPE, type TestResultPredicate, type TestResultStatement } from './test-result-statement.js';

export interface ImageVerdict {
  ok: boolean;
  /** Why not, one line each; empty when ok. */
  problems: string[];
  /** The statement's result, when it could be read. */
  result?: string;
}

/**
 * Whether the run in DIR vouches for the image: its test-result statement is signed by KEY,
 * says PASSED, and holds one of the image's digests as an image subject (its id or a registry
 * digest). Anything less is not a pass: an unsigned statement, a WARNED (partial) run, a
 * build output or a commit with the same hex. Never throws for bad evidence.
 */
export function checkImageVerdict(dir: string, imageHexes: readonly string[], image: string, key: KeyObject): ImageVerdict {
  const path = join(dir, TEST_RESULT_FILE);
  if (!existsSync(path)) return { ok: false, problems: [`no ${TEST_RESULT_FILE} in ${dir}: the run predates test-result statements, or it was removed`] };
  let parsed: unknown;
  try {
    parsed = parseJsonQuietly(readRegularFile(path, { maxBytes: EVIDENCE_JSON_MAX_BYTES, within: dir, what: TEST_RESULT_FILE }).toString('utf8'));
  } catch (err) {
    return { ok: false, problems: [`${TEST_RESULT_FILE} is unreadable: ${errorMessage(err)}`] };
  }
  if (parsed !== null && typeof parsed === 'object' && !('payloadType' in parsed)) {
    return { ok: false, problems: [`${TEST_RESULT_FILE} is unsigned (the run had no --sign-key): anyone could have written it, so it vouches for no image`] };
  }
  const opened = openEnvelope<TestResultPredicate>(parsed, key, TEST_RESULT_PREDICATE_TYPE);
  const problems: string[] = [];
  if (opened.signed !== true) problems.push(`${TEST_RESULT_FILE}: no signature verifies with the given key`);
  const statement: TestResultStatement | undefined = opened.statement;
  if (!statement) return { ok: false, problems: [...problems, `${TEST_RESULT_FILE}: ${opened.problem ?? 'no statement'}`] };
  const result = String(statement.predicate?.result);
  if (result !== 'PASSED') problems.push(`the run's result is ${result}, not PASSED${result === 'WARNED' ? ' (a partial run, or criteria not judged)' : ''}`);
  const images = statement.subject.filter((s) => (IMAGE_SUBJECT_KINDS as readonly unknown[]).includes(s.annotations?.['kind']));
  const match = images.find((s) => typeof s.digest?.['sha256'] === 'string' && imageHexes.includes(s.digest['sha256']));
  if (!match) {
    const tested = images.map((s) => `${s.name ?? '?'} sha256:${String(s.digest?.['sha256']).slice(0, 12)}…`);
    problems.push(`${image} is not an image this run tested (${tested.length > 0 ? `tested: ${tested.join(', ')}` : 'the run tested no image: a local or external target'})`);
  }
  return { ok: problems.length === 0, problems, result };
}
