import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { OutputSink } from '../../common/output.js';

/** Which compose is installed: the `docker compose` v2 plugin or the legacy `docker-compose` v1. */
export interface ComposeFlavor {
  kind: 'v2' | 'v1';
  version: string;
  /** Program and leading arguments: `docker compose` or `docker-compose`. */
  argv0: [string, ...string[]];
  /** Global flag turning colours off (differs between v1 and v2). */
  noAnsi: string[];
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  output?: OutputSink;
  signal?: AbortSignal;
  /** Also collect stdout (for `config`, `ps`, `version`). */
  capture?: boolean;
  /** Remove terminal escape sequences (compose 2.x prints `ESC[2K` in `logs` even with `--ansi never`). */
  stripAnsi?: boolean;
}

// CSI sequences (colours, erase-line) and OSC titles.
const ANSI = /\x1b\[[0-9;?]*[ -\/]*[@-~]|\x1b\][^\x07]*\x07/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  /** Last lines of stderr+stdout, as evidence for error messages. */
  tail: string[];
  /** Set when the program could not be started (ENOENT…). */
  spawnError?: Error;
}

const TAIL_LINES = 20;

/** Runs a program without a shell, streaming its output chunk by chunk into the sink. */
export function runProgram(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const stdoutParts: string[] = [];
    const tail: string[] = [];
    let partial = '';
    const remember = (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        if (l.trim() === '') continue;
        tail.push(l);
        if (tail.length > TAIL_LINES) tail.shift();
      }
    };
    let child;
    try {
      child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal });
    } catch (err) {
      resolvePromise({ exitCode: -1, stdout: '', tail: [], spawnError: err as Error });
      return;
    }
    let spawnError: Error | undefined;
    // Decoders keep a UTF-8 character split across two chunks whole.
    const outDecoder = new StringDecoder('utf8');
    const errDecoder = new StringDecoder('utf8');
    const clean = (text: string) => (opts.stripAnsi ? stripAnsi(text) : text);
    child.stdout.on('data', (chunk: Buffer) => {
      const text = clean(outDecoder.write(chunk));
      if (opts.capture) stdoutParts.push(text);
      else remember(text);
      if (text) opts.output?.write(text, 'stdout');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = clean(errDecoder.write(chunk));
      remember(text);
      if (text) opts.output?.write(text, 'stderr');
    });
    child.on('error', (err) => {
      spawnError = err;
    });
    child.on('close', (code, sig) => {
      if (partial.trim()) tail.push(partial);
      const exitCode = code ?? (sig ? 128 + signalNumber(sig) : -1);
      resolvePromise({ exitCode, stdout: stdoutParts.join(''), tail, ...(spawnError ? { spawnError } : {}) });
    });
  });
}

function signalNumber(sig: NodeJS.Signals): number {
  const table: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return table[sig] ?? 0;
}

/** Finds compose: v2 first (what real users have), then v1, or only the one asked for. Null when none runs. */
export async function detectCompose(
  env: NodeJS.ProcessEnv,
  cwd: string,
  want: 'auto' | 'v2' | 'v1' = 'auto',
): Promise<{ flavor: ComposeFlavor | null; tried: string[] }> {
  const tried: string[] = [];
  if (want !== 'v1') {
    const v2 = await runProgram('docker', ['compose', 'version', '--short'], { cwd, env, capture: true });
    if (v2.exitCode === 0 && v2.stdout.trim()) {
      return { flavor: { kind: 'v2', version: v2.stdout.trim().replace(/^v/, ''), argv0: ['docker', 'compose'], noAnsi: ['--ansi', 'never'] }, tried };
    }
    tried.push(`docker compose version: ${v2.spawnError?.message ?? v2.tail.at(-1) ?? `exit ${v2.exitCode}`}`);
  }
  if (want === 'v2') return { flavor: null, tried };
  const v1 = await runProgram('docker-compose', ['version', '--short'], { cwd, env, capture: true });
  if (v1.exitCode === 0 && v1.stdout.trim()) {
    return { flavor: { kind: 'v1', version: v1.stdout.trim(), argv0: ['docker-compose'], noAnsi: ['--no-ansi'] }, tried };
  }
  tried.push(`docker-compose version: ${v1.spawnError?.message ?? v1.tail.at(-1) ?? `exit ${v1.exitCode}`}`);
  return { flavor: null, tried };
}
