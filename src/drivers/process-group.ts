import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';

/** An argv list, or a string for `sh -c`. */
export type Command = string | readonly string[];

export function toArgv(command: Command): string[] {
  return typeof command === 'string' ? ['sh', '-c', command] : [...command];
}

/**
 * Spawns a command as the leader of its own process group. Killing only the PID is not
 * enough: `npx some-server` leaves its node child running when npx alone is killed, so we
 * always signal the whole group.
 */
export function spawnGroup(command: Command, opts: Omit<SpawnOptions, 'detached' | 'shell'>): ChildProcess {
  const [file, ...args] = toArgv(command);
  if (!file) throw new Error('empty command');
  return spawn(file, args, { ...opts, detached: true, shell: false });
}

/** True while at least one process of the group is alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    // EPERM means it exists but is not ours: still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * SIGTERM to the group, then SIGKILL after the grace period; resolves once no process of
 * the group is left (verified with signal 0), so nothing is orphaned.
 */
export async function killGroup(pgid: number, graceMs = 5000, clock: Clock = systemClock): Promise<void> {
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGTERM');
  const deadline = clock.now() + graceMs;
  while (groupAlive(pgid) && clock.now() < deadline) await clock.sleep(50);
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGKILL');
  const hardDeadline = clock.now() + 5000;
  while (groupAlive(pgid) && clock.now() < hardDeadline) await clock.sleep(20);
  if (groupAlive(pgid)) throw new Error(`process group ${pgid} survived SIGKILL`);
}

/**
 * Runs a command to completion in its own group, streaming output; aborting the signal kills
 * the whole group. Resolves with the exit code (128+n for a signal, like a shell).
 */
export function runGroup(
  command: Command,
  opts: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    signal?: AbortSignal;
    onOutput: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
  },
): Promise<number> {
  return new Promise((resolve, reject) => {
    // An abort listener never fires for a signal that is already aborted.
    if (opts.signal?.aborted) {
      reject(opts.signal.reason);
      return;
    }
    let child: ChildProcess;
    try {
      child = spawnGroup(command, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      reject(err);
      return;
    }
    const onAbort = () => {
      if (child.pid) void killGroup(child.pid, 2000).catch((err: Error) => opts.onOutput(Buffer.from(`[release-gate] ${err.message}\n`), 'stderr'));
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', (chunk: Buffer) => opts.onOutput(chunk, 'stdout'));
    child.stderr?.on('data', (chunk: Buffer) => opts.onOutput(chunk, 'stderr'));
    child.once('error', (err) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.once('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      // The leader is gone; make sure nothing it started lingers in the group.
      const finish = () => resolve(code ?? (signal ? 128 + signalNumber(signal) : 1));
      if (child.pid && groupAlive(child.pid)) void killGroup(child.pid, 1000).then(finish, finish);
      else finish();
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 1;
}
