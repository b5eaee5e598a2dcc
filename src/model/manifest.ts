import type { Verdict } from './run-result.js';
import type { ServiceProvenance, StackProvenance } from './stack.js';

/** Name of the manifest in the log dir. */
export const MANIFEST_FILE = 'manifest.json';
/** Name of the signed DSSE envelope (in-toto statement) in the log dir. */
export const ATTESTATION_FILE = 'release-gate-attestation.json';
/** Name of the in-toto test-result statement in the log dir (a DSSE envelope when the run was signed). */
export const TEST_RESULT_FILE = 'test-result.intoto.json';
/** `schema` value of manifest.json; bumped when a field changes meaning. */
export const MANIFEST_SCHEMA = 'release-gate/manifest/v1';

/** One file of the log dir: its path relative to the dir (`/`-separated), size and sha256. */
export interface ArtifactDigest {
  name: string;
  size: number;
  sha256: string;
}

/**
 * `manifest.json`: what a run produced and from what. Written after the final summary, so it
 * covers every artifact but itself (and the attestation, which covers it).
 */
export interface RunManifest {
  schema: typeof MANIFEST_SCHEMA;
  tool: { name: string; version: string };
  run: { verdict: Verdict; complete: boolean; deviations: string[]; startedAt: string; endedAt: string; durationMs: number };
  config: {
    file: string;
    /** sha256 of the config file's bytes; null when it could not be read (a bare preset is read from the tool). */
    fileSha256: string | null;
    /** sha256 of the resolved config (extends merged, `${VAR}` interpolated, secrets redacted) as canonical JSON. */
    resolvedSha256: string;
  };
  /** The project gated (ROOT): its git commit and whether the work tree had changes. */
  source: { root: string; git: { commit: string; dirty: boolean; changedFiles: number } | null; note?: string };
  runtime: { node: string; platform: string; arch: string };
  /** The engine's versions and each service's image digest (or build output hash); `error` when the driver could not tell. */
  stack: { driver: string } & (StackProvenance | { error: string });
  /** Every file of the log dir except this manifest and the attestation (the test-result statement included), sorted by name. */
  artifacts: ArtifactDigest[];
  /** When this manifest was written. */
  writtenAt: string;
}

/** An earlier run the gate compares with (`--baseline DIR`): what its services ran, from its manifest. */
export interface BaselineRun {
  /** Its log dir, absolute. */
  dir: string;
  services: ServiceProvenance[];
}
