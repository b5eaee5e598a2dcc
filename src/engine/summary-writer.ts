import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redactor } from '../common/redactor.js';
import type { RunResult } from '../model/run-result.js';
import { SUMMARY_REPORTER, renderAll, requiredReporterNames, type ReporterRegistry } from '../reporters/reporters.js';
import type { LiveReporter } from '../reporters/live-reporter.js';
import { StepLog } from './step-log.js';

export interface SummaryTarget {
  logDir: string;
  /** Base names of the summary steps' logs (`17_validation_summary`). */
  summaryLogs: string[];
  /** Reporters named by the config. */
  reporters: readonly string[];
  registry: ReporterRegistry;
  redactor: Redactor;
  /** The run's live output: a broken reporter is said there. */
  live: LiveReporter;
  /** Files written after the summary (the manifest): listed as artifacts all the same. */
  extraFiles?: string[];
}

/**
 * Writes the summary log(s) and the reports; the artifact list covers everything written.
 * Called before the teardown (a hung `down` must not cost the evidence) and again after it.
 */
export async function writeSummary(target: SummaryTarget, result: RunResult): Promise<void> {
  const reporters = [...new Set([...requiredReporterNames, ...target.reporters])];
  const reportFiles = reporters.map((name) => target.registry[name]?.fileName ?? name);
  const summaryFiles = target.summaryLogs.map((name) => `${name}.log`);
  result.artifacts = [...new Set([...readdirSync(target.logDir), ...summaryFiles, ...reportFiles, ...(target.extraFiles ?? [])])].sort();
  for (const name of target.summaryLogs) {
    // Truncated, not appended: the summary may be written twice (before and after teardown).
    const log = new StepLog(join(target.logDir, `${name}.log`), target.redactor, target.live, name, 'w', false);
    for (const summary of renderAll(result, [SUMMARY_REPORTER], {}, target.registry)) {
      log.line(summary.ok ? summary.content.trimEnd() : summary.error.message);
    }
    await log.close();
  }
  for (const report of renderAll(result, reporters, {}, target.registry)) {
    if (report.ok) writeFileSync(join(target.logDir, report.fileName), target.redactor.redact(report.content));
    // One broken reporter must not cost the others, nor the verdict.
    else target.live.onEvent?.({ type: 'info', text: target.redactor.redact(report.error.message) });
  }
}
