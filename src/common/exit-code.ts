import { constants } from 'node:os';

/*
 * The one table between signals and exit codes: a process killed by signal n exits 128+n, as a
 * shell reports it; the gate itself, interrupted by a signal, exits the same way.
 */

/** 128 + the signal's number (SIGINT → 130, SIGTERM → 143, SIGHUP → 129). */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/** The signal behind an exit code above 128, if it names one. */
export function signalOfExitCode(code: number): NodeJS.Signals | undefined {
  if (code <= 128) return undefined;
  const n = code - 128;
  return (Object.entries(constants.signals) as [NodeJS.Signals, number][]).find(([, value]) => value === n)?.[0];
}

/** `exit 1`, `exit 139 (SIGSEGV)`, `exit ?` when unknown. */
export function describeExit(code: number | null): string {
  if (code === null) return 'exit ?';
  const signal = signalOfExitCode(code);
  return signal ? `exit ${code} (${signal})` : `exit ${code}`;
}
