import { formatDuration } from '../common/duration.js';
import type { CopiedFile } from '../model/stack.js';

/**
 * How much earlier than the step's start a report may seem written and still count as this
 * step's: `docker cp` and `stat -c %Y` keep whole seconds, and clocks read at different
 * moments differ by a little. An old report (an earlier run's, one baked into an image) is
 * minutes to years old, far beyond it.
 */
export const REPORT_CLOCK_TOLERANCE_MS = 2000;

export interface ReportFreshness {
  fresh: boolean;
  /** Why it is refused; empty when fresh. */
  detail: string;
  /** When the file was last written, on the host's clock; null when unknown. */
  writtenAt: Date | null;
}

/**
 * Whether a copied report was written by the step that started at `stepStartedAt` (host clock).
 * The file's age is measured on the service's own clock (`copied.at - copied.mtime`) and taken
 * back from `copiedAt` (host clock), so a service clock set differently from ours does not matter.
 */
export function reportFreshness(path: string, copied: CopiedFile, stepStartedAt: number, copiedAt: number): ReportFreshness {
  if (copied.mtime === null) {
    return { fresh: false, writtenAt: null, detail: `stale report: cannot tell when ${path} was last written (${copied.why ?? 'no mtime'}): a report not known to be this step's proves nothing` };
  }
  const skew = copied.at.getTime() - copiedAt;
  const writtenAt = new Date(copied.mtime.getTime() - skew);
  if (writtenAt.getTime() >= stepStartedAt - REPORT_CLOCK_TOLERANCE_MS) return { fresh: true, writtenAt, detail: '' };
  // Within the tolerance the clocks agree: show the file's own mtime, as `ls -l` would.
  const shown = Math.abs(skew) <= REPORT_CLOCK_TOLERANCE_MS ? copied.mtime : writtenAt;
  const clockNote = shown === writtenAt ? ` (host clock; the service's runs ${formatDuration(Math.abs(skew))} ${skew > 0 ? 'ahead' : 'behind'})` : '';
  return {
    fresh: false,
    writtenAt,
    detail: `stale report: ${path} last written ${shown.toISOString()}${clockNote}, before the step started at ${new Date(stepStartedAt).toISOString()}`,
  };
}
