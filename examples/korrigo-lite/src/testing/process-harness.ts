import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI next to this file's folder (dist/cli.js). */
export const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

/** Env vars of the host that would change the sample's behaviour under test. */
const SAMPLE_ENV = [
  'DATABASE_URL', 'PORT', 'HOST', 'MEDIA_ROOT', 'COPIES_PAGE_SIZE', 'METRICS_TOKEN', 'ADMIN_PASSWORD',
  'TEACHER_PASSWORD', 'REDIS_URL', 'KORRIGO_LITE_FAULT', 'KORRIGO_LITE_STATE_DIR', 'KORRIGO_LITE_GENERATION', 'KORRIGO_LITE_DB_SCHEMA',
  'KORRIGO_LITE_RELEASE',
  'NODE_TEST_CONTEXT',
];

export function cleanEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SAMPLE_ENV) delete env[name];
  return { ...env, ...overrides };
}

/**
 * A free port for a process started later, below Linux's ephemeral range (32768+): a port-0
 * pick can be handed to some client socket before the child binds it (EADDRINUSE in parallel runs).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const server = createServer();
    const free = await new Promise<boolean>((resolveListen) => {
      server.once('error', () => resolveListen(false));
      server.listen(port, '127.0.0.1', () => resolveListen(true));
    });
    if (free) {
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      return port;
    }
  }
  throw new Error('no free port found in 20000-32000');
}

export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Result of a one-shot CLI command. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `korrigo-lite <args>` to completion (killed after timeoutMs). */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`korrigo-lite ${args.join(' ')} did not finish within ${timeoutMs}ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

/** A long-running CLI process in its own process group, killed with its children on stop(). */
export class CliProcess {
  output = '';
  exitCode: number | null = null;
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolveExit) =>
      child.on('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? 128 : null);
        resolveExit();
      }),
    );
  }

  static start(args: string[], env: Record<string, string>): CliProcess {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    return new CliProcess(child);
  }

  get running(): boolean {
    return this.exitCode === null;
  }

  /** Resolves when the output matches; rejects when the process exits first or the budget runs out. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (!this.running) throw new Error(`process exited (${this.exitCode}) before ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`${pattern} not seen after ${timeoutMs}ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Resolves with the exit code, or null when still running after timeoutMs. */
  async waitForExit(timeoutMs: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    return this.exitCode;
  }

  /** Sends a signal to the process group (a shutdown test); false when it is already gone. */
  signal(name: NodeJS.Signals): boolean {
    if (!this.running || this.child.pid === undefined) return false;
    process.kill(-this.child.pid, name);
    return true;
  }

  async stop(): Promise<void> {
    if (!this.running || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGTERM');
    } catch {
      return; // the group is already gone
    }
    if ((await this.waitForExit(5000)) === null) {
      process.kill(-this.child.pid, 'SIGKILL');
      await this.waitForExit(5000);
    }
  }
}

/** An embedded database in a temp dir, plus the env every command needs to reach it. */
export interface TestStack {
  env: Record<string, string>;
  dir: string;
  db: CliProcess;
  stop(): Promise<void>;
}

export async function startTestDb(): Promise<TestStack> {
  const dir = await tempDir('korrigo-lite-test-');
  const port = await freePort();
  const db = CliProcess.start(['db', '--port', String(port), '--data-dir', join(dir.path, 'pgdata')], {});
  try {
    const [, url] = await db.waitFor(/DATABASE_URL=(\S+)/, 60_000);
    return {
      env: {
        DATABASE_URL: url!,
        MEDIA_ROOT: join(dir.path, 'media'),
        KORRIGO_LITE_STATE_DIR: join(dir.path, 'state'),
      },
      dir: dir.path,
      db,
      async stop() {
        await db.stop();
        await dir.remove();
      },
    };
  } catch (err) {
    await db.stop();
    await dir.remove();
    throw err;
  }
}

/** Starts `serve` on a free port and waits until it listens. */
export async function startServe(env: Record<string, string>): Promise<{ proc: CliProcess; baseUrl: string }> {
  const port = await freePort();
  const proc = CliProcess.start(['serve'], { ...env, PORT: String(port) });
  await proc.waitFor(/listening on/, 20_000);
  return { proc, baseUrl: `http://127.0.0.1:${port}` };
}
