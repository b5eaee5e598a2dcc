import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CLI, ROOT, marker as newMarker, tempDir } from './helpers.js';

/*
 * The hostile-input harness (issue "Safe by default"): every case runs the real CLI in a
 * sandbox and is judged on the same five things, whatever it attacks:
 *   1. the exit code;
 *   2. the place is named (a YAML path, a file, a variable) in what the CLI printed;
 *   3. nothing outside the log dir was created, changed or deleted (the whole sandbox is
 *      hashed before and after: the project, a sibling checkout, files "outside");
 *   4. no secret appears in stdout, stderr or any file the run wrote;
 *   5. no process is left: every process the run started inherits a marker variable, and
 *      /proc is searched for it afterwards.
 */

export interface Sandbox {
  /** The temp folder holding everything below: removed after the case. */
  root: string;
  /** The project: the config lives here, and it is the gate's project root. */
  project: string;
  /** A sibling checkout and other files the gate must never touch. */
  outside: string;
  /** The log dir given to the run (LOG_DIR); its content is the run's own. */
  logDir: string;
  /** The marker every process of the run inherits (RG_HOSTILE_MARK). */
  marker: string;
  /** HOME for the run: a folder of the sandbox, so a gate that removed "$HOME" removes only this (and the case fails). */
  home: string;
  /** Writes a file under the project (folders created). */
  write(path: string, text: string): string;
}

export interface HostileRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout + stderr. */
  output: string;
  /** Wall time of the CLI, in ms. */
  wallMs: number;
}

export interface HostileCase {
  /** What the case attacks, as the test's name. */
  name: string;
  /** Writes the case's files; returns the CLI arguments (and env) to run. */
  setup(sandbox: Sandbox): { args: string[]; env?: Record<string, string>; cwd?: string };
  /** The exit code the gate must give. */
  code: number;
  /** Each must appear in stdout or stderr: the place (YAML path, file, variable) and the reason. */
  names?: (string | RegExp | ((sandbox: Sandbox) => string | RegExp))[];
  /** Values that must appear nowhere: stdout, stderr, any file of the log dir. */
  secrets?: string[];
  /** Paths (relative to the sandbox root) the run may create or change besides the log dir (e.g. the project's data dir). */
  mayChange?: string[];
  /** The CLI is killed after this long: a hostile file must be refused, not waited on. Default 60 s. */
  timeoutMs?: number;
  /** Extra checks on the run and the sandbox after the common ones. */
  after?(run: HostileRun, sandbox: Sandbox): void;
  /** Sends signals while the CLI runs (the child and the sandbox); resolves when done. */
  during?(child: ReturnType<typeof spawn>, sandbox: Sandbox): void;
}

export function createSandbox(): Sandbox {
  const marker = newMarker();
  const root = tempDir(`rg-hostile-${marker}-`);
  const project = join(root, 'project');
  const outside = join(root, 'outside');
  mkdirSync(project);
  mkdirSync(join(outside, 'sibling-checkout', '.git'), { recursive: true });
  writeFileSync(join(outside, 'sibling-checkout', 'README.md'), 'a sibling checkout the gate must never touch\n');
  writeFileSync(join(outside, 'sibling-checkout', '.git', 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(join(outside, 'precious.txt'), 'precious\n');
  mkdirSync(join(root, 'home', '.cache'), { recursive: true });
  writeFileSync(join(root, 'home', '.gitconfig'), '[user]\n\tname = a user whose home the gate must never touch\n');
  mkdirSync(join(project, 'src'));
  writeFileSync(join(project, 'src', 'app.js'), '// the project sources\n');
  mkdirSync(join(project, '.git'));
  writeFileSync(join(project, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  const sandbox: Sandbox = {
    root,
    project,
    outside,
    logDir: join(root, 'run-logs'),
    marker,
    home: join(root, 'home'),
    write(path, text) {
      const file = join(project, path);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
  };
  return sandbox;
}

/** Every entry under dir (symlinks not followed) with a hash of its content or target. */
export function snapshot(dir: string, skip: (path: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (path: string) => {
    if (skip(path)) return;
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      return;
    }
    const rel = relative(dir, path) || '.';
    if (stat.isSymbolicLink()) out.set(rel, `link:${readlinkSync(path)}`);
    else if (stat.isDirectory()) {
      out.set(rel, `dir:${stat.mode}`);
      for (const name of readdirSync(path)) walk(join(path, name));
    } else if (stat.isFile()) out.set(rel, `file:${stat.mode}:${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
    else out.set(rel, `other:${stat.mode}`);
  };
  walk(dir);
  return out;
}

/** Files under dir (recursively, symlinks not followed), read as text; for the secret check. */
function filesUnder(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (path: string) => {
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      return;
    }
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    else if (stat.isFile()) out.push({ path, text: readFileSync(path, 'latin1') });
  };
  walk(dir);
  return out;
}

/** Pids of live processes whose environment holds the marker (the run's own descendants). */
export function processesMarked(marker: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(`RG_HOSTILE_MARK=${marker}`)) out.push(Number(entry));
    } catch {
      // Gone meanwhile, or not readable: not one of ours.
    }
  }
  return out;
}

/** Runs the real CLI (the installed bundle) with a kill timer; the marker goes into its environment. */
export function runMarked(
  args: string[],
  opts: { cwd: string; env?: Record<string, string>; marker: string; home?: string; timeoutMs: number; during?: (child: ReturnType<typeof spawn>) => void },
): Promise<HostileRun> {
  const { NODE_TEST_CONTEXT: _ignored, ...env } = process.env;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd,
      // Never the real HOME: a guard broken on purpose ("break it once") must not wipe the machine's.
      env: { ...env, NO_COLOR: '1', CI: 'true', ...(opts.home ? { HOME: opts.home } : {}), ...opts.env, RG_HOSTILE_MARK: opts.marker },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? -1 : null), stdout, stderr, output: `${stdout}\n${stderr}`, wallMs: Date.now() - started });
    });
    opts.during?.(child);
  });
}

function existsLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Kills what a failed case left (so one failure does not leak into the next case). */
function killMarked(marker: string): void {
  for (const pid of processesMarked(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/**
 * Runs one hostile case and asserts the five rules above. Returns the run for extra checks.
 * The sandbox is removed afterwards, whatever the outcome.
 */
export async function runHostileCase(c: HostileCase): Promise<HostileRun> {
  const sandbox = createSandbox();
  try {
    const { args, env, cwd } = c.setup(sandbox);
    const logDir = sandbox.logDir;
    // The gate's own cache (parse trees, compiled code) under HOME is the gate's to write.
    const mayChange = [...(c.mayChange ?? []), 'home/.cache/release-gate'].map((p) => join(sandbox.root, p));
    // The link to the latest run, beside the log dir, is the gate's to write (checked below).
    const latest = join(sandbox.root, 'release_gate_latest');
    const skip = (path: string) => path === logDir || path === latest || path.startsWith(`${logDir}/`) || mayChange.some((m) => path === m || path.startsWith(`${m}/`));
    const before = snapshot(sandbox.root, skip);
    const run = await runMarked(args, {
      cwd: cwd ?? sandbox.project,
      env: { LOG_DIR: logDir, ...env },
      marker: sandbox.marker,
      home: sandbox.home,
      timeoutMs: c.timeoutMs ?? 60_000,
      ...(c.during ? { during: (child) => c.during?.(child, sandbox) } : {}),
    });
    const context = `\n--- stdout\n${run.stdout.slice(-3000)}\n--- stderr\n${run.stderr.slice(-3000)}`;
    // 5. No process left (checked first: a leftover would also change files later).
    const left = processesMarked(sandbox.marker);
    killMarked(sandbox.marker);
    assert.deepEqual(left, [], `processes left running by the run: ${left.join(', ')}${context}`);
    // 1. The exit code.
    assert.equal(run.code, c.code, `exit code${context}`);
    // 2. The place is named.
    for (const name of c.names ?? []) {
      const expected = typeof name === 'function' ? name(sandbox) : name;
      if (typeof expected === 'string') assert.ok(run.output.includes(expected), `the output names ${JSON.stringify(expected)}${context}`);
      else assert.match(run.output, expected, `the output names ${expected}${context}`);
    }
    // Never a raw stack trace without --verbose.
    if (!args.includes('--verbose')) assert.doesNotMatch(run.output, /\n\s+at .+\(.+:\d+:\d+\)/, `no stack trace${context}`);
    // 3. Nothing outside the log dir created, changed or deleted.
    const after = snapshot(sandbox.root, skip);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k));
    assert.deepEqual(changed, [], `outside the log dir, created/changed/deleted: ${changed.join(', ')}${context}`);
    // Beside it, at most the gate's own link, to this run's log dir by name.
    if (existsLink(latest)) assert.equal(readlinkSync(latest), relative(sandbox.root, logDir), `release_gate_latest points at this run${context}`);
    // 4. No secret anywhere.
    for (const secret of c.secrets ?? []) {
      assert.ok(!run.output.includes(secret), `the secret ${JSON.stringify(secret)} is printed${context}`);
      for (const file of filesUnder(logDir)) assert.ok(!file.text.includes(secret), `the secret ${JSON.stringify(secret)} is in ${file.path}${context}`);
    }
    c.after?.(run, sandbox);
    return run;
  } finally {
    killMarked(sandbox.marker);
    rmSync(sandbox.root, { recursive: true, force: true });
  }
}

/** A local-driver config with one quick service, for cases that need a whole (small) gate. `port`: from freePort() (cases run concurrently). */
export function smallLocalConfig(parts: { port: number; top?: string; service?: string; steps?: string }): string {
  const port = parts.port;
  return `name: hostile
baseUrl: http://127.0.0.1:${port}
criteria: { boot: Boot }
${parts.top ?? ''}
stack:
  driver: local
  services:
    web:
      command: [node, -e, "require('http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')"]
      healthcheck: { http: "http://127.0.0.1:${port}/", interval: 100ms }
${parts.service ?? ''}
phases:
  - id: A
    steps:
      - { log: 00_down, do: down, volumes: true }
      - { log: 01_up, do: up }
  - id: B
    steps:
      - { log: 02_ps, do: ps, criterion: boot }
${parts.steps ?? ''}
`;
}

/** The repository root (for cases that need a preset or the sample). */
export { ROOT };
