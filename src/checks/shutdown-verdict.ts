import { constants } from 'node:os';
import { formatDuration } from '../common/duration.js';
import type { ServiceStop } from '../model/stack.js';

/** The Shutdown criterion's input: how each service stopped (plain JSON, re-judged by selftest). */
export interface ShutdownInput {
  stops: ServiceStop[];
}

/** A grace as written in a config (`5s`, `10s`); other times as formatDuration gives them (`0.3s`). */
export const formatGrace = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : formatDuration(ms));

/** The exit codes of a clean stop on `signal`: 0, or 128 + the signal (the default handler's death). */
export function cleanExitCodes(signal: string): number[] {
  const number = (constants.signals as Record<string, number | undefined>)[signal];
  return number === undefined ? [0] : [0, 128 + number];
}

/** What was wrong with one service's stop, or null when it stopped cleanly within its grace. */
function stopProblem(s: ServiceStop): string | null {
  if (s.killed) return `${s.service} ignored ${s.signal}: killed after its ${formatGrace(s.graceMs)} grace (exit ${s.exitCode ?? 'unknown'})`;
  const clean = cleanExitCodes(s.signal);
  if (s.exitCode === null || !clean.includes(s.exitCode)) {
    return `${s.service} exited ${s.exitCode ?? 'unknown'} on ${s.signal} after ${formatDuration(s.stopMs)} (expected ${clean.join(' or ')})`;
  }
  return null;
}

/** The services the criterion judges: long-running ones that were running when the stop began. */
export function judgedStops(stops: readonly ServiceStop[]): ServiceStop[] {
  return stops.filter((s) => s.running && !s.oneShot);
}

/**
 * Shutdown: each long-running service, sent its stop signal, exits within its grace period with
 * 0 or 128 + that signal. One killed after its grace (it ignored the signal) fails, named, with
 * its stop time. One-shot jobs and services not running at the stop are not judged.
 */
export function judgeShutdown(input: ShutdownInput): { passed: boolean; detail: string } {
  const judged = judgedStops(input.stops);
  const skipped = input.stops.filter((s) => !s.running && !s.oneShot).map((s) => s.service);
  const notRunning = skipped.length > 0 ? `; not running at the stop: ${skipped.join(', ')}` : '';
  if (judged.length === 0) return { passed: false, detail: `no long-running service was running at the stop${notRunning}` };
  const problems = judged.map(stopProblem).filter((p): p is string => p !== null);
  const clean = judged.length - problems.length;
  if (problems.length > 0) return { passed: false, detail: `${problems.join('; ')} (${clean}/${judged.length} stopped cleanly)${notRunning}` };
  const slowest = judged.reduce((a, b) => (b.stopMs > a.stopMs ? b : a));
  return {
    passed: true,
    detail: `${clean}/${judged.length} stopped cleanly within their grace (slowest: ${slowest.service} ${formatDuration(slowest.stopMs)} of ${formatGrace(slowest.graceMs)})${notRunning}`,
  };
}
