import { errorMessage } from '../common/errors.js';
import { writeEvidence } from '../evidence/evidence-file.js';
import { writeManifest, type ProvenanceAnswer } from '../evidence/manifest-writer.js';
import { ATTESTATION_FILE, MANIFEST_FILE, TEST_RESULT_FILE } from '../model/manifest.js';
import type { RunResult } from '../model/run-result.js';
import type { RunState } from './run-state.js';
import { writeSummary, type SummaryTarget } from './summary-writer.js';

/** evidence.json: what each verdict was judged from. Written before the summary, whose artifact list names it. */
export function writeEvidenceFile(state: RunState): void {
  try {
    writeEvidence(state.opts.logDir, state.evidence, state.opts.redactor);
  } catch (err) {
    state.live.info(`evidence.json: ${errorMessage(err)}`);
  }
}

/** Where the summary goes: the summary steps' logs, the configured reports, the manifest's name. */
export function summaryTarget(state: RunState): SummaryTarget {
  const { opts } = state;
  return {
    logDir: opts.logDir,
    summaryLogs: state.steps.filter((r) => r.planned.kind.summary).map((r) => r.planned.logName),
    reporters: opts.config.reporters,
    registry: state.registries.reporters,
    redactor: opts.redactor,
    live: state.live,
    extraFiles: [TEST_RESULT_FILE, MANIFEST_FILE, ...(opts.signKey ? [ATTESTATION_FILE] : [])],
  };
}

/** Writes the summary and reports; a failure is said on the live output, it never ends the run. */
export async function summarize(state: RunState, target: SummaryTarget, result: RunResult): Promise<void> {
  await writeSummary(target, result).catch((err: Error) => state.live.info(`summary: ${err.message}`));
}

/** Writes test-result.intoto.json, then manifest.json (and the attestation) over the log dir as it is now: last of all, the hashes cover the final summary. */
export function sealer(state: RunState, result: RunResult, provenance: ProvenanceAnswer): () => Promise<void> {
  const { opts } = state;
  return () =>
    writeManifest({
      logDir: opts.logDir,
      result,
      config: opts.config,
      configFile: opts.configFile,
      root: opts.root,
      driverName: opts.driver.name,
      provenance,
      redactor: opts.redactor,
      signKey: opts.signKey,
    }).then(
      () => undefined,
      (err: Error) => state.live.info(`manifest: ${err.message}`),
    );
}
