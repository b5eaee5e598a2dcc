import { execFile } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { digestFile, listFiles, sha256File, sha256Text } from '../common/file-digest.js';
import { errorMessage } from '../common/errors.js';
import type { Redactor } from '../common/redactor.js';
import { ATTESTATION_FILE, MANIFEST_FILE, MANIFEST_SCHEMA, TEST_RESULT_FILE, type ArtifactDigest, type RunManifest } from '../model/manifest.js';
import type { RunResult } from '../model/run-result.js';
import type { StackDriver, StackProvenance } from '../model/stack.js';
import { signStatement, statementFor, type InTotoStatement } from './attestation.js';
import { testResultStatement } from './test-result-statement.js';

/** Budget for asking the engine what ran: a hung engine must not hold the summary. */
export const PROVENANCE_TIMEOUT_MS = 15_000;

export type ProvenanceAnswer = StackProvenance | { error: string };

/** The driver's provenance, or why there is none. Never throws. */
export async function collectProvenance(driver: StackDriver, timeoutMs = PROVENANCE_TIMEOUT_MS): Promise<ProvenanceAnswer> {
  if (!driver.provenance) return { error: `the ${driver.name} driver cannot tell what ran (no provenance)` };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the engine within ${timeoutMs / 1000}s`)), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([driver.provenance(), timeout]);
  } catch (err) {
    return { error: errorMessage(err) };
  } finally {
    clearTimeout(timer);
  }
}

function git(root: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', ['-C', root, ...args], { timeout: 10_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(stderr.trim().split('\n').at(-1) || err.message));
      else resolve(stdout);
    });
  });
}

/**
 * The commit checked out at ROOT and whether ROOT's tree (untracked files included) differs
 * from it. The log dir is left out when it lies inside ROOT: the run's own output is not a change.
 */
export async function gitState(root: string, logDir: string): Promise<RunManifest['source']> {
  try {
    const commit = (await git(root, ['rev-parse', 'HEAD'])).trim();
    const inside = relative(root, logDir);
    const exclude = inside && !inside.startsWith('..') && !isAbsolute(inside) ? [`:(exclude)${inside}`] : [];
    const status = await git(root, ['status', '--porcelain', '--', '.', ...exclude]);
    const changedFiles = status.split('\n').filter(Boolean).length;
    return { root, git: { commit, dirty: changedFiles > 0, changedFiles } };
  } catch (err) {
    return { root, git: null, note: `not a git checkout, or git is missing: ${errorMessage(err)}` };
  }
}

/** JSON with keys sorted at every level: the same config gives the same bytes, hence the same hash. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
    );
  };
  return JSON.stringify(sort(value));
}

/** Size and sha256 of every file in the log dir but the manifest and the attestation. */
export async function digestArtifacts(logDir: string): Promise<ArtifactDigest[]> {
  const names = (await listFiles(logDir)).filter((n) => n !== MANIFEST_FILE && n !== ATTESTATION_FILE);
  const out: ArtifactDigest[] = [];
  for (const name of names) out.push({ name, ...(await digestFile(join(logDir, name))) });
  return out;
}

export interface ManifestInputs {
  logDir: string;
  result: RunResult;
  /** The resolved config: hashed after redaction, so a generated password never leaves a guessable trace. */
  config: unknown;
  configFile: string;
  root: string;
  driverName: string;
  provenance: ProvenanceAnswer;
  redactor: Redactor;
  /** ed25519 key: also write the DSSE envelopes (the manifest's, the test result's). */
  signKey?: KeyObject | undefined;
  now?: Date;
}

/**
 * Writes `test-result.intoto.json`, then `manifest.json` (and, with a key, signs both: the
 * statement as its own DSSE envelope, the manifest as `release-gate-attestation.json`). Called
 * after the final summary: the hashes cover the files exactly as the run leaves them, the
 * test-result statement included.
 */
export async function writeManifest(inputs: ManifestInputs): Promise<RunManifest> {
  const { result, redactor } = inputs;
  const head = {
    schema: MANIFEST_SCHEMA,
    tool: result.tool,
    run: { verdict: result.verdict, complete: result.complete, deviations: result.deviations, startedAt: result.startedAt, endedAt: result.endedAt, durationMs: result.durationMs },
    config: {
      file: inputs.configFile,
      fileSha256: await sha256File(inputs.configFile).catch(() => null),
      resolvedSha256: sha256Text(redactor.redact(canonicalJson(inputs.config))),
    },
    source: await gitState(inputs.root, inputs.logDir),
    runtime: { node: process.version, platform: platform(), arch: arch() },
    stack: { driver: inputs.driverName, ...inputs.provenance },
  } satisfies Omit<RunManifest, 'artifacts' | 'writtenAt'>;
  const summarySha256 = await sha256File(join(inputs.logDir, 'summary.json')).catch(() => null);
  await writeSigned(join(inputs.logDir, TEST_RESULT_FILE), testResultStatement({ result, config: head.config, source: head.source, stack: head.stack, summarySha256 }), redactor, inputs.signKey);
  const manifest: RunManifest = { ...head, artifacts: await digestArtifacts(inputs.logDir), writtenAt: (inputs.now ?? new Date()).toISOString() };
  const text = redactor.redact(`${JSON.stringify(manifest, null, 2)}\n`);
  const manifestPath = join(inputs.logDir, MANIFEST_FILE);
  await writeFile(manifestPath, text);
  if (inputs.signKey) {
    const digest = { name: MANIFEST_FILE, size: Buffer.byteLength(text), sha256: sha256Text(text) };
    const statement = statementFor(JSON.parse(text) as RunManifest, digest);
    await writeFile(join(inputs.logDir, ATTESTATION_FILE), `${JSON.stringify(signStatement(statement, inputs.signKey), null, 2)}\n`);
  }
  return manifest;
}

/** The statement, redacted; with a key, in a DSSE envelope signed over the redacted bytes (DSSE wants a signature, so an unsigned one stays bare). */
async function writeSigned(path: string, statement: InTotoStatement<unknown>, redactor: Redactor, key: KeyObject | undefined): Promise<void> {
  const text = redactor.redact(`${JSON.stringify(statement, null, 2)}\n`);
  await writeFile(path, key ? `${JSON.stringify(signStatement(JSON.parse(text) as InTotoStatement<unknown>, key), null, 2)}\n` : text);
}
