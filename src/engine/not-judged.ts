import { formatDuration } from '../common/duration.js';
import type { NotJudged } from '../steps/step-kind.js';

/**
 * `not judged: the gate stopped at 13_pytest_full after 1m39s of 3m00s (0 restarts seen)`:
 * one defect gives one red line; the criterion that could not finish says so without a ❌.
 */
export function notJudgedDetail(stoppedAt: string, n: NotJudged): string {
  const where = stoppedAt.replace(/\.log\b/, '');
  return `not judged: the gate stopped at ${where} after ${formatDuration(n.observedMs)} of ${formatDuration(n.windowMs)} (${n.seen})`;
}
