import { spawn, execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pickFreePort } from '../src/common/ports.js';
import { testDir } from '../src/common/test-dir.fixture.js';

/** Repository root, from dist/test/. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The installed command: the bundle (scripts/bundle.mjs), what users run. */
export const CLI = join(ROOT, 'dist/bundle/cli/release-gate.cjs');
/** The CLI from its compiled modules (development entry). */
export const MODULES_CLI = join(ROOT, 'dist/src/cli/main.js');
export const FIXTURES = join(ROOT, 'test/fixtures');

/** A free port for a process the test starts later (below the ephemeral range: see pickFreePort). */
export const freePort = (): Promise<number> => pickFreePort();

/** A temp dir of this test file's own, removed when the test process exits. */
export function tempDir(prefix = 'rg-test-'): string {
  return testDir(prefix);
}

/**
 * A data dir for the korrigo-lite sample, inside the sample: the gate removes data dirs only
 * strictly inside the project root (DESIGN.md, safety rules). `.data*` is git-ignored there.
 * The caller removes it.
 */
export function sampleDataDir(prefix: string): string {
  return mkdtempSync(join(ROOT, 'examples/korrigo-lite', `.data-${prefix}`));
}

/** Puts an (empty) compose file where the korrigo preset looks for it: `plan` checks it as `run` does. Returns `dir`. */
export function withPresetComposeFile(dir: string): string {
  mkdirSync(join(dir, 'infra/docker'), { recursive: true });
  writeFileSync(join(dir, 'infra/docker/docker-compose.local-prod.yml'), 'services: {}\n');
  return dir;
}

export function writeConfig(dir: string, yaml: string, name = 'release-gate.yml'): string {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

export type OnStdout = (text: string, child: ReturnType<typeof spawn>) => void;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI as a child process. */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string>; onStdout?: OnStdout } = {}): Promise<CliRun> {
  // node --test marks its children with NODE_TEST_CONTEXT; a test runner started by the gate
  // (korrigo-lite's own suite) would then refuse to run its files. The gate is not a test file.
  const { NODE_TEST_CONTEXT: _ignored, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...env, NO_COLOR: '1', CI: 'true', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      opts.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Command lines of live processes containing the marker (ps, not /proc parsing). */
export function processesWith(marker: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(marker) && !line.includes('ps -eo'));
}

export function marker(): string {
  return `rgmark${process.pid}x${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Calls `action` once the gate has started `step` (its numbered log exists in `logDir`). The
 * console says nothing when a step starts (one line per step, at its end), so the log dir is
 * the signal; polled every 50 ms, stopped once fired or after 5 minutes.
 */
export function whenStepStarts(logDir: string, step: string, action: () => void): () => void {
  let fired = false;
  const started = Date.now();
  const timer = setInterval(() => {
    if (fired || Date.now() - started > 300_000) return clearInterval(timer);
    if (existsSync(join(logDir, `${step}.log`))) {
      fired = true;
      clearInterval(timer);
      action();
    }
  }, 50);
  timer.unref();
  return () => clearInterval(timer);
}

/** True when something accepts a TCP connection on 127.0.0.1:port (a database that is up). */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A local gate around the fixture web server: boot (up, ps ready, a stability window), the
 * caller's `check` steps, the summary. For end-to-end cases that judge one step against a real
 * process (false greens, fresh evidence).
 */
export function webGateYaml(g: { name: string; port: number; mark: string; env: Record<string, string>; criteria: string; window?: string; checkSteps: string }): string {
  return `
name: ${g.name}
baseUrl: http://127.0.0.1:${g.port}
criteria: ${g.criteria}
stack:
  driver: local
  services:
    web:
      command: [node, ${JSON.stringify(join(FIXTURES, 'fixture-server.mjs'))}, --marker=${g.mark}]
      env: ${JSON.stringify(g.env)}
      healthcheck: { http: "http://127.0.0.1:${g.port}/", interval: 100ms, retries: 50 }
      restart: always
      ports: [${g.port}]
phases:
  - id: boot
    steps:
      - { log: 01_up, do: up }
      - { log: 02_ps, do: ps, ready: true, timeout: 20s, criterion: boot }
      - { log: "03_stability_{window}s", do: stability, window: ${g.window ?? '1s'}, criterion: stability }
  - id: check
    steps:
${g.checkSteps}
  - id: summary
    always: true
    steps: [{ log: 99_summary, do: summary }]
`;
}

/**
 * A compose gate that builds a one-service image (`RG_IMAGE` names it), starts it and runs one
 * test step in it: for cases about what a build and its test report prove.
 */
export function buildAndTestComposeYaml(g: { name: string; composeFile: string; project: string; testStep: string }): string {
  return `
name: ${g.name}
criteria: { build: Build, tests: Tests }
env: { RG_IMAGE: "${g.project}" }
stack:
  driver: compose
  file: ${g.composeFile}
  project: ${g.project}
  minFreeDiskMb: 256
phases:
  - id: clean
    steps: [{ log: 00_down, do: down, volumes: true }]
  - id: A
    steps: [{ log: 01_build, do: build, criterion: build }]
  - id: B
    steps: [{ log: 02_up, do: up }]
  - id: F
    steps:
      - ${g.testStep}
  - id: summary
    always: true
    steps: [{ log: 17_summary, do: summary }]
`;
}
