import type { KeyObject } from 'node:crypto';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { digestFile, listFiles, sha256Text } from '../common/file-digest.js';
import { RgUnsafeFileError, errorMessage } from '../common/errors.js';
import { ARTIFACT_MAX_BYTES, EVIDENCE_JSON_MAX_BYTES, formatBytes, openRegularFile, parseJsonQuietly, readRegularFile } from '../common/safe-file.js';
import { ATTESTATION_FILE, MANIFEST_FILE, MANIFEST_SCHEMA, type ArtifactDigest, type RunManifest } from '../model/manifest.js';
import { keyId, openEnvelope } from './attestation.js';

export type SignatureState = 'valid' | 'invalid' | 'absent' | 'not checked' | 'unsigned';

export interface VerifyReport {
  ok: boolean;
  dir: string;
  /** Files whose size and sha256 match the manifest. */
  intact: number;
  changed: { name: string; expected: Omit<ArtifactDigest, 'name'>; actual: Omit<ArtifactDigest, 'name'> }[];
  missing: string[];
  extra: string[];
  /** `valid`/`invalid` with --key; `not checked` when signed but no key given; `unsigned` when there is no attestation and no key; `absent` when a key was given and there is none. */
  signature: SignatureState;
  /** Anything else that makes the evidence unverifiable (no manifest, an attestation that disagrees with it). */
  problems: string[];
  /** Id of the key checked (sha256 of its SPKI). */
  keyId?: string;
  manifest?: RunManifest;
}

/**
 * Recomputes every hash of `manifest.json` against the files of dir and, with a key, checks
 * the DSSE signature and that the signed statement is this manifest. Never throws for bad
 * evidence: the report says what is wrong, file by file. Throws RgUnsafeFileError (exit 2) for a
 * file it will not open: a FIFO, a device, an oversize file, a symlink leading out of dir.
 */
export async function verifyEvidence(dir: string, key?: KeyObject): Promise<VerifyReport> {
  const report: VerifyReport = { ok: false, dir, intact: 0, changed: [], missing: [], extra: [], signature: key ? 'absent' : 'unsigned', problems: [] };
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    report.problems.push(`no ${MANIFEST_FILE} in ${dir}: not the output of a run (or it was removed)`);
    return report;
  }
  const manifestBytes = readRegularFile(manifestPath, { maxBytes: EVIDENCE_JSON_MAX_BYTES, within: dir, what: MANIFEST_FILE });
  let manifest: RunManifest;
  try {
    manifest = parseJsonQuietly(manifestBytes.toString('utf8')) as RunManifest;
    if (manifest === null || typeof manifest !== 'object') throw new Error('not a JSON object');
    if (manifest.schema !== MANIFEST_SCHEMA || !Array.isArray(manifest.artifacts)) throw new Error(`schema is ${JSON.stringify(manifest.schema)}, expected ${MANIFEST_SCHEMA}`);
  } catch (err) {
    report.problems.push(`${MANIFEST_FILE} is unreadable: ${errorMessage(err)}`);
    return report;
  }
  report.manifest = manifest;

  const onDisk = new Set((await listFiles(dir)).filter((n) => n !== MANIFEST_FILE && n !== ATTESTATION_FILE));
  for (const expected of manifest.artifacts) {
    if (!onDisk.delete(expected.name)) {
      report.missing.push(expected.name);
      continue;
    }
    const actual = await digestArtifact(dir, expected.name);
    if (actual.sha256 === expected.sha256 && actual.size === expected.size) report.intact++;
    else report.changed.push({ name: expected.name, expected: { size: expected.size, sha256: expected.sha256 }, actual });
  }
  report.extra = [...onDisk].sort();

  const attestationPath = join(dir, ATTESTATION_FILE);
  if (existsSync(attestationPath)) {
    const text = readRegularFile(attestationPath, { maxBytes: EVIDENCE_JSON_MAX_BYTES, within: dir, what: ATTESTATION_FILE }).toString('utf8');
    checkAttestation(report, text, manifest, sha256Text(manifestBytes), key);
  }
  report.ok = report.problems.length === 0 && report.changed.length === 0 && report.missing.length === 0 && report.extra.length === 0 && report.signature !== 'invalid' && report.signature !== 'absent';
  return report;
}

/**
 * Size and sha256 of an artifact: a symlink as its target path (never followed), anything else
 * only when it is a regular file inside dir, streamed from the descriptor that was checked.
 */
async function digestArtifact(dir: string, name: string): Promise<{ size: number; sha256: string }> {
  const path = join(dir, name);
  if (lstatSync(path).isSymbolicLink()) return digestFile(path);
  const { fd } = openRegularFile(path, { maxBytes: ARTIFACT_MAX_BYTES, within: dir, what: 'artifact' });
  const hash = createHash('sha256');
  // What is actually read is what is judged (a file growing meanwhile is measured as it is now), capped.
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream('', { fd });
    stream
      .on('error', reject)
      .on('data', (chunk) => {
        size += chunk.length;
        if (size > ARTIFACT_MAX_BYTES) stream.destroy(new RgUnsafeFileError(path, `artifact ${path} grew past ${formatBytes(ARTIFACT_MAX_BYTES)} while it was read; at most that is hashed.`));
        else hash.update(chunk);
      })
      .on('end', resolve);
  });
  return { size, sha256: hash.digest('hex') };
}

function checkAttestation(report: VerifyReport, text: string, manifest: RunManifest, manifestSha256: string, key: KeyObject | undefined): void {
  let envelope: unknown;
  try {
    envelope = parseJsonQuietly(text);
  } catch (err) {
    report.signature = key ? 'invalid' : 'not checked';
    report.problems.push(`${ATTESTATION_FILE} is not JSON: ${errorMessage(err)}`);
    return;
  }
  const opened = openEnvelope(envelope, key);
  report.signature = opened.signed === null ? 'not checked' : opened.signed ? 'valid' : 'invalid';
  if (key) report.keyId = keyId(key);
  if (!opened.statement) {
    report.problems.push(`${ATTESTATION_FILE}: ${opened.problem ?? 'no statement'}`);
    return;
  }
  // The statement must be this manifest: the same bytes, and subjects that are its artifacts.
  const subjects = new Map(opened.statement.subject.map((s) => [s.name, s.digest?.sha256]));
  if (subjects.get(MANIFEST_FILE) !== manifestSha256) report.problems.push(`${MANIFEST_FILE} is not the one the attestation covers (its sha256 differs)`);
  for (const artifact of manifest.artifacts) {
    if (subjects.get(artifact.name) !== artifact.sha256) report.problems.push(`${ATTESTATION_FILE}: ${artifact.name} is not a subject with the manifest's sha256`);
    subjects.delete(artifact.name);
  }
  subjects.delete(MANIFEST_FILE);
  for (const name of subjects.keys()) report.problems.push(`${ATTESTATION_FILE}: subject ${name} is not in ${MANIFEST_FILE}`);
}

/** The report for a terminal: one line per finding, the verdict last. */
export function formatVerifyReport(report: VerifyReport): string {
  const out: string[] = [];
  const m = report.manifest;
  if (m) {
    out.push(`manifest: ${m.tool.name} ${m.tool.version}, run ${m.run.startedAt} → ${m.run.endedAt}, verdict ${m.run.verdict}${m.run.complete ? '' : ' (partial)'}`);
    if (m.source.git) out.push(`source:   ${m.source.root} @ ${m.source.git.commit}${m.source.git.dirty ? ` (dirty: ${m.source.git.changedFiles} changed file(s))` : ''}`);
  }
  for (const c of report.changed) out.push(`✗ changed: ${c.name} (sha256 ${c.actual.sha256.slice(0, 12)}…, ${c.actual.size} bytes; manifest: ${c.expected.sha256.slice(0, 12)}…, ${c.expected.size} bytes)`);
  for (const name of report.missing) out.push(`✗ missing: ${name}`);
  for (const name of report.extra) out.push(`✗ extra: ${name} (not in the manifest)`);
  for (const problem of report.problems) out.push(`✗ ${problem}`);
  const signature = {
    valid: 'signature: valid',
    invalid: `signature: INVALID (no signature verifies with key ${report.keyId?.slice(0, 16) ?? '?'}…)`,
    absent: `signature: none (${ATTESTATION_FILE} missing) but --key was given`,
    'not checked': 'signature: present, not checked (give --key PUB)',
    unsigned: 'signature: none (unsigned run)',
  }[report.signature];
  out.push(`${report.signature === 'invalid' || report.signature === 'absent' ? '✗' : '·'} ${signature}`);
  const total = report.intact + report.changed.length + report.missing.length;
  out.push(
    report.ok
      ? `✅ INTACT: ${report.intact}/${total} files match ${MANIFEST_FILE}`
      : `❌ NOT INTACT: ${report.changed.length} changed, ${report.missing.length} missing, ${report.extra.length} extra, ${report.problems.length} other problem(s)`,
  );
  return `${out.join('\n')}\n`;
}
