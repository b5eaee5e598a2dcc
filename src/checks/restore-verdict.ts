/**
 * The restore drill's verdict: a backup restored into a throwaway copy must read exactly like the
 * live data (the same state probe, byte for byte after trimming line ends), within the restore
 * time budget when one is set. A pure function of recorded evidence: selftest re-judges it.
 */
import { formatDuration } from '../common/duration.js';
import { lazyRequire } from '../common/lazy-require.js';

const diffLibrary = lazyRequire<typeof import('diff')>('diff');

/** A command's output as the step recorded it (redacted lines joined by `\n`) and its exit code. */
export interface RestoreProbeRun {
  output: string;
  exitCode: number;
}

export interface RestoreInput {
  /** Exit code of the backup command. */
  backupExit: number;
  /** Exit code of the restore command; absent when it did not run (the backup failed). */
  restoreExit?: number | undefined;
  /** The probe on the live data, run before the backup. */
  live?: RestoreProbeRun | undefined;
  /** The same probe on the restored copy; absent when the restore failed. */
  restored?: RestoreProbeRun | undefined;
  /**
   * The restored copy's probe run before anything was restored: it must not read the live data
   * (it then points at the live database, and any restore would "equal" it). Absent in evidence
   * recorded before this check.
   */
  beforeRestore?: RestoreProbeRun | undefined;
  /** How long the restore command took. */
  restoreMs?: number | undefined;
  /** The restore time budget (`rto:`), when the config sets one. */
  rtoMs?: number | undefined;
}

export interface Verdict {
  passed: boolean;
  detail: string;
}

function lines(text: string): string[] {
  const out = text.split(/\r?\n/).map((l) => l.trimEnd());
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/** The first line where the two outputs differ (1-based), with both sides; null when equal. */
export function firstDifference(live: string, restored: string): { line: number; live: string | null; restored: string | null } | null {
  const a = lines(live);
  const b = lines(restored);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return { line: i + 1, live: a[i] ?? null, restored: b[i] ?? null };
  }
  return null;
}

/**
 * A unified diff (live → restored) cut to its first hunk, at most `maxLines` lines: the log shows
 * where the copy starts to differ, not a whole dump.
 */
export function restoreDiff(live: string, restored: string, maxLines = 40): string {
  const a = lines(live);
  const b = lines(restored);
  const text = (l: string[]) => (l.length ? `${l.join('\n')}\n` : '');
  const patch = diffLibrary().structuredPatch('live', 'restored', text(a), text(b), undefined, undefined, { context: 3 });
  const hunk = patch.hunks[0];
  if (!hunk) return '';
  const body = [`--- live`, `+++ restored`, `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines];
  const more = patch.hunks.length > 1 ? [`… ${patch.hunks.length - 1} more differing region${patch.hunks.length === 2 ? '' : 's'}`] : [];
  return (body.length > maxLines ? [...body.slice(0, maxLines), `… ${body.length - maxLines} more diff lines`] : [...body, ...more]).join('\n');
}

const quote = (line: string | null) => (line === null ? '(no line)' : `"${line.length > 120 ? `${line.slice(0, 119)}…` : line}"`);

/** Restore: backup and restore succeed, both probes run, their outputs are equal, the restore is within its rto. */
export function judgeRestore(input: RestoreInput): Verdict {
  if (input.backupExit !== 0) return { passed: false, detail: `backup failed (exit ${input.backupExit}): nothing to restore` };
  if (input.restoreExit === undefined) return { passed: false, detail: 'restore not run' };
  if (input.restoreExit !== 0) return { passed: false, detail: `restore failed (exit ${input.restoreExit})` };
  if (!input.live || input.live.exitCode !== 0) return { passed: false, detail: `probe on the live data failed (exit ${input.live?.exitCode ?? 'not run'}): cannot compare` };
  if (!input.restored || input.restored.exitCode !== 0) return { passed: false, detail: `probe on the restored copy failed (exit ${input.restored?.exitCode ?? 'not run'})` };
  const probeLines = lines(input.live.output).length;
  // Two empty outputs are equal and prove nothing.
  if (probeLines === 0) return { passed: false, detail: 'the probe printed nothing on the live data: no state to compare' };
  if (input.beforeRestore && input.beforeRestore.exitCode === 0 && firstDifference(input.live.output, input.beforeRestore.output) === null) {
    return { passed: false, detail: 'the restored probe read the live data before anything was restored: it does not point at the copy (restoredProbe), so no restore could be told from none' };
  }
  const time = input.restoreMs === undefined ? 'restore time unknown' : `restore took ${formatDuration(input.restoreMs)}`;
  const budget = input.rtoMs === undefined ? '' : ` (rto ${formatDuration(input.rtoMs)})`;
  const diff = firstDifference(input.live.output, input.restored.output);
  if (diff) {
    return {
      passed: false,
      detail: `restored copy differs from the live data at probe line ${diff.line}: live ${quote(diff.live)}, restored ${quote(diff.restored)} (diff in log); ${time}`,
    };
  }
  if (input.rtoMs !== undefined && (input.restoreMs === undefined || input.restoreMs > input.rtoMs)) {
    return { passed: false, detail: `${time}, over the rto ${formatDuration(input.rtoMs)}; restored copy equals the live data` };
  }
  return { passed: true, detail: `restored copy equals the live data (${probeLines} probe line${probeLines === 1 ? '' : 's'}); ${time}${budget}` };
}
