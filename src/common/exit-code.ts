import { constants } from 'node:os';

/*
 * The one table between signals and exit codes: a process killed by signal n exits 128+n, as a
 * shell reports it; the gate itself, interrupted by a signal, exits the same way.
 */

/** Signal number → name, from the running platform's own table (`os.constants.signals`). */
const SIGNAL_NAMES = new Map<number, NodeJS.Signals>();
for (const [name, number] of Object.entries(constants.signals) as [NodeJS.Signals, number][]) {
  // Some numbers have two names (SIGIOT/SIGABRT, SIGPOLL/SIGIO): keep the first, the usual one.
  if (!SIGNAL_NAMES.has(number)) SIGNAL_NAMES.set(number, name);
}

/** The name of signal `n` (`SIGSEGV` for 11), or undefined when the platform has none. */
export function signalName(n: number): NodeJS.Signals | undefined {
  return SIGNAL_NAMES.get(n);
}

/** 128 + the signal's number (SIGINT → 130, SIGTERM → 143, SIGHUP → 129). */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/**
 * An exit code for evidence logs, with the signal a shell-style code 128+N stands for:
 * `exit 139 (SIGSEGV)`, `exit 137 (SIGKILL)`, `exit 1`. A process killed by a signal
 * (`code` null, `signal` set, as node's child_process reports it) reads `killed by SIGTERM`.
 */
export function describeExit(code: number | null, signal?: NodeJS.Signals | null): string {
  if (code === null) return signal ? `killed by ${signal}` : 'exit unknown';
  const name = code > 128 ? signalName(code - 128) : undefined;
  return name ? `exit ${code} (${name})` : `exit ${code}`;
}
