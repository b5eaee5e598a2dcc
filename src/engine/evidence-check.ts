import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../model/run-result.js';
import { requiredReporterNames } from '../reporters/reporters.js';
import type { SummaryTarget } from './summary-writer.js';

/** DESIGN.md's "environment unavailable": the disk the evidence needs is not there. */
export const EVIDENCE_LOST_EXIT = 3;

/**
 * "No ✅ without evidence on disk" (DESIGN.md, safety rules). The log dir's identity is taken
 * when the run starts; once the summary, summary.json and the manifest are written, each
 * expected file must be a regular file in that same folder. A folder removed during the run
 * (a teardown deleting it, a service) and one put back by something else both count as lost:
 * the early step logs would be gone from the new one.
 */
export class EvidenceCheck {
  private constructor(
    private readonly logDir: string,
    private readonly identity: string | null,
  ) {}

  /** Notes which folder the log dir is, at the start of the run. */
  static start(logDir: string): EvidenceCheck {
    return new EvidenceCheck(logDir, identityOf(logDir));
  }

  /** What is missing, in one line (`summary.json, manifest.json missing in /tmp/…`), or null when every file is there. */
  lost(files: readonly string[]): string | null {
    const now = identityOf(this.logDir);
    if (now === null) return `the log dir ${this.logDir} is gone (or no longer a folder): ${files.join(', ')} not on disk`;
    if (this.identity !== null && now !== this.identity) return `the log dir ${this.logDir} was replaced during the run: its earlier evidence is gone`;
    const missing = [...new Set(files)].filter((name) => !isFile(join(this.logDir, name)));
    return missing.length === 0 ? null : `${missing.join(', ')} not written to ${this.logDir}`;
  }
}

function identityOf(dir: string): string | null {
  try {
    const stat = statSync(dir);
    // The birth time too: `rm -rf dir && mkdir dir` may get the same inode number back.
    return stat.isDirectory() ? `${stat.dev}:${stat.ino}:${stat.birthtimeMs}` : null;
  } catch {
    return null;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The files a finished run must leave: the summary log(s), the required reports (summary.json), the manifest, and the log of every step that ran. */
export function expectedEvidence(target: SummaryTarget, result: RunResult): string[] {
  const reports = requiredReporterNames.map((name) => target.registry[name]?.fileName ?? name);
  const stepLogs = result.steps.filter((s) => s.startedAt !== undefined).map((s) => s.log);
  return [...target.summaryLogs.map((name) => `${name}.log`), ...reports, ...(target.extraFiles ?? []), ...stepLogs];
}
