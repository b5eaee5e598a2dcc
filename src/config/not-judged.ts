import { formatDuration } from '../common/duration.js';
import type { CriterionResult, Verdict } from '../model/run-result.js';
import type { NotJudged } from '../steps/step-kind.js';

/**
 * Where and when the gate stopped: the first failed step (`07_migrate.log`, `07_migrate.log
 * (timedout)`), `interrupted` or `deadline`, and the time since the run started.
 */
export interface StopPoint {
  at: string;
  afterMs: number;
}

/** `the gate stopped at 07_migrate`, `the gate was interrupted`, `the gate's deadline passed`. */
export function stopPhrase(stoppedAt: string): string {
  if (stoppedAt === 'interrupted') return 'the gate was interrupted';
  if (stoppedAt === 'deadline') return "the gate's deadline passed";
  return `the gate stopped at ${stoppedAt.replace(/\.log\b/, '')}`;
}

/**
 * `not judged: the gate stopped at 13_pytest_full after 1m39s of 3m00s (0 restarts seen)`:
 * one defect gives one red line; the criterion that could not finish says so without a ❌.
 */
export function notJudgedDetail(stoppedAt: string, n: NotJudged): string {
  return `not judged: ${stopPhrase(stoppedAt)} after ${formatDuration(n.observedMs)} of ${formatDuration(n.windowMs)} (${n.seen})`;
}

/**
 * `not judged: the gate stopped at 07_migrate after 1m02s`: a criterion none of whose evidence
 * failed, but some of it was never taken because the gate stopped first (a failure, an
 * interrupt, the deadline). Neither ✅ nor ❌: the red comes from what stopped the gate.
 */
export function unreachedDetail(stop: StopPoint): string {
  return `not judged: ${stopPhrase(stop.at)} after ${formatDuration(stop.afterMs)}`;
}

/**
 * A red run must show at least one ❌ (`grep -E '✅|❌' 17_validation_summary.log` is how the
 * seed reads a run): when no criterion failed (an interrupt or the deadline left every open
 * criterion "not judged"), the run's own end is that ❌. Null when a criterion already failed.
 */
export function runEndCriterion(verdict: Verdict, criteria: CriterionResult[], stop: StopPoint | undefined): CriterionResult | null {
  if (verdict === 'passed') return null;
  if (criteria.some((c) => !c.passed && !c.notSelected && !c.notApplicable && !c.notJudged)) return null;
  const word = verdict === 'interrupted' ? 'interrupted' : verdict === 'timedout' ? 'timed out' : 'failed';
  const detail = stop ? `${word}: ${stopPhrase(stop.at)} after ${formatDuration(stop.afterMs)}` : word;
  return { id: 'run', title: 'Run completed', passed: false, detail, logs: [] };
}
