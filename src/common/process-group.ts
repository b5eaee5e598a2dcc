import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { ChunkDecoder } from './chunk-decoder.js';
import { systemClock, type Clock } from './clock.js';
import { exitCodeForSignal } from './exit-code.js';
import type { OutputSink } from './output.js';
import { stripAnsi } from './text.js';
import { waitFor, type WakeSource } from './wait.js';

/** An argv list, or a string for `sh -c`. */
export type Command = string | readonly string[];

export function toArgv(command: Command): string[] {
  return typeof command === 'string' ? ['sh', '-c', command] : [...command];
}

/** A command on one short line for titles: newlines folded, long scripts cut. */
export function oneLineCommand(command: Command): string {
  const fold = (text: string) => text.replace(/\s*\n\s*/g, '; ').trim();
  const quote = (arg: string) => (arg === '' || /[\s"]/.test(arg) ? JSON.stringify(fold(arg)) : arg);
  const text = typeof command === 'string' ? fold(command) : command.map(quote).join(' ');
  return text.length > 90 ? `${text.slice(0, 89)}…` : text;
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
 * the group is left (verified with signal 0), so nothing is orphaned. `wake` (the leader's
 * exit, when we spawned it: `onChildExit`) ends a poll's delay as soon as something exited.
 */
export async function killGroup(pgid: number, graceMs = 5000, clock: Clock = systemClock, wake?: WakeSource): Promise<void> {
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGTERM');
  const gone = async () => ({ done: !groupAlive(pgid), value: null });
  if ((await waitFor(gone, { timeoutMs: graceMs, intervalMs: 100, initialDelayMs: 10, clock, wake })).ok) return;
  signalGroup(pgid, 'SIGKILL');
  if (!(await waitFor(gone, { timeoutMs: 5000, intervalMs: 50, initialDelayMs: 10, clock, wake })).ok) throw new Error(`process group ${pgid} survived SIGKILL`);
}

/** Wakes a wait when `child` exits: its group is checked at once, not at the next poll. */
export function onChildExit(child: ChildProcess): WakeSource {
  return (wake) => {
    if (child.exitCode !== null || child.signalCode !== null) queueMicrotask(wake);
    child.once('exit', wake);
    return () => child.off('exit', wake);
  };
}

export interface RunOptions {
  cwd?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** Aborting kills the whole group at once. */
  signal?: AbortSignal | undefined;
  /** Receives the output chunk by chunk, as it comes. */
  output?: OutputSink | undefined;
  /** Also collect stdout (for `config`, `ps`, `version`). */
  capture?: boolean;
  /** Remove terminal escape sequences (compose 2.x prints `ESC[2K` in `logs` even with `--ansi never`). */
  stripAnsi?: boolean;
  /** Grace between SIGTERM and SIGKILL on abort. Default 2 s. */
  killGraceMs?: number;
  /**
   * The child's stdout goes straight to this open file (no pipe): a dump written line by
   * line (`compose logs`: one write per line) reached us in 800-byte chunks, 1.4× its time.
   */
  stdoutFd?: number;
  /** Called with the group's id once it is spawned, and with `null` once it is gone: lets an owner kill it synchronously on a last signal. */
  onGroup?: (pgid: number, alive: boolean) => void;
}

export interface ProcessResult {
  /** The exit code, or 128+n for a signal (like a shell), 127 when the program could not start. */
  exitCode: number;
  /** Collected stdout (with `capture`). */
  stdout: string;
  /** Last non-empty lines of stderr+stdout, as evidence for error messages. */
  tail: string[];
  /** Set when the program could not be started (ENOENT…). */
  spawnError?: Error;
}

const TAIL_LINES = 20;

/**
 * Runs a command to completion in its own process group, streaming its output; aborting the
 * signal kills the whole group. Never rejects: a program that cannot start gives exit 127
 * and `spawnError`. The one way this project runs a child to completion.
 */
export function runGroup(command: Command, opts: RunOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const stdoutParts: string[] = [];
    const tail: string[] = [];
    let partial = '';
    const remember = (text: string) => {
      // Only the chunk's last TAIL_LINES non-blank complete lines can be kept: they are found
      // from the end, so a 64 KiB chunk costs a few searches, not a split of all of it.
      const lastNl = text.lastIndexOf('\n');
      let from = lastNl;
      for (let kept = 0; kept < TAIL_LINES && from > 0; ) {
        const before = text.lastIndexOf('\n', from - 1);
        if (text.slice(before + 1, from).trim() !== '') kept++;
        from = before;
      }
      if (from > 0) {
        // Enough lines after `from`: what came before it, partial included, is older.
        partial = '';
        text = text.slice(from + 1);
      }
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        if (l.trim() === '') continue;
        tail.push(l);
        if (tail.length > TAIL_LINES) tail.shift();
      }
    };
    const cannotStart = (err: Error) => {
      opts.output?.line(`[release-gate] cannot start ${toArgv(command)[0] ?? ''}: ${err.message}`);
      resolve({ exitCode: 127, stdout: '', tail: [err.message], spawnError: err });
    };
    if (opts.signal?.aborted) {
      resolve({ exitCode: exitCodeForSignal('SIGTERM'), stdout: '', tail: ['not started: aborted'] });
      return;
    }
    let child: ChildProcess;
    try {
      child = spawnGroup(command, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', opts.stdoutFd ?? 'pipe', 'pipe'] });
    } catch (err) {
      cannotStart(err as Error);
      return;
    }
    if (child.pid) opts.onGroup?.(child.pid, true);
    const onAbort = () => {
      if (child.pid) void killGroup(child.pid, opts.killGraceMs ?? 2000, systemClock, onChildExit(child)).catch((err: Error) => opts.output?.line(`[release-gate] ${err.message}`));
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    // Decoders keep a UTF-8 character split across two chunks whole.
    const decoders = { stdout: new ChunkDecoder(), stderr: new ChunkDecoder() };
    const clean = (text: string) => (opts.stripAnsi ? stripAnsi(text) : text);
    const output = opts.output;
    // Backpressure: while the sink's file is behind, the pipes are paused, so the child blocks
    // on its own writes instead of its output piling up in our memory.
    let paused = false;
    const pause = () => {
      if (paused || !output?.drained) return;
      paused = true;
      child.stdout?.pause();
      child.stderr?.pause();
      void output.drained().then(() => {
        paused = false;
        child.stdout?.resume();
        child.stderr?.resume();
      });
    };
    const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const text = clean(decoders[stream].write(chunk));
      if (stream === 'stdout' && opts.capture) stdoutParts.push(text);
      else remember(text);
      if (text && output?.write(text, stream) === false) pause();
    };
    child.stdout?.on('data', onData('stdout'));
    child.stderr?.on('data', onData('stderr'));
    let spawnError: Error | undefined;
    child.once('error', (err) => {
      spawnError = err;
    });
    child.once('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (spawnError && child.pid === undefined) return cannotStart(spawnError);
      if (partial.trim()) tail.push(partial);
      const result: ProcessResult = { exitCode: code ?? (signal ? exitCodeForSignal(signal) : 1), stdout: stdoutParts.join(''), tail, ...(spawnError ? { spawnError } : {}) };
      // The leader is gone; make sure nothing it started lingers in the group.
      // Gone for the owner only once the whole group is.
      const done = () => {
        if (child.pid) opts.onGroup?.(child.pid, false);
        resolve(result);
      };
      if (child.pid && groupAlive(child.pid)) void killGroup(child.pid, 1000).then(done, done);
      else done();
    });
  });
}

/**
 * When a process started, as an opaque stable token (Linux: field 22 of /proc/<pid>/stat,
 * clock ticks since boot; elsewhere `ps -o lstart=`); null when it does not exist. A pid
 * recorded with its start time is never mistaken for another process that reused the pid.
 */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && existsSync('/proc/self/stat')) return null;
  }
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return out || null;
  } catch {
    // ps exits 1 when there is no such process.
    return null;
  }
}

/** A process group as recorded on disk: its leader's pid and start time. */
export interface RecordedGroup {
  pgid: number;
  start: string;
}

/** True when the group's leader is the very process recorded (same pid, same start time). */
export function isRecordedGroup(entry: unknown): entry is RecordedGroup {
  return typeof entry === 'object' && entry !== null && typeof (entry as RecordedGroup).pgid === 'number' && typeof (entry as RecordedGroup).start === 'string';
}

export function sameProcess(entry: RecordedGroup): boolean {
  return processStartTime(entry.pgid) === entry.start;
}

/**
 * Waits, blocking the thread (a last signal's handler cannot await), until no process of the
 * groups is alive, at most budgetMs; zombies count as gone (their parent, maybe this process,
 * reaps them). Linux only (/proc): elsewhere returns at once. Returns the groups still alive.
 */
export function waitGroupsGoneSync(pgids: readonly number[], budgetMs: number): number[] {
  if (pgids.length === 0 || !existsSync('/proc/self/stat')) return [];
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + budgetMs;
  let alive = livingGroups(pgids);
  while (alive.length > 0 && Date.now() < deadline) {
    Atomics.wait(sleeper, 0, 0, 5);
    alive = livingGroups(alive);
  }
  return alive;
}

/** Groups with at least one member that is not a zombie, from /proc/<pid>/stat (state, pgrp). */
function livingGroups(pgids: readonly number[]): number[] {
  const wanted = new Set(pgids);
  const living = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      // Gone meanwhile.
      continue;
    }
    // After the command name (which may hold spaces and parentheses): state ppid pgrp …
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const group = Number(pgrp);
    if (state !== 'Z' && state !== 'X' && wanted.has(group)) living.add(group);
  }
  return pgids.filter((pgid) => living.has(pgid));
}
