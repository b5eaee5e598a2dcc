// What the Docker tests of the bundled sample (compose, swarm, selftest) share: the criteria,
// reading a gate's log dir back, the evidence a failing assertion shows, the labelled objects
// left in the engine.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { ROOT, tempDir, writeConfig } from './helpers.js';

export const SAMPLE = join(ROOT, 'examples/korrigo-lite');
export const COMPOSE_FILE = join(SAMPLE, 'docker-compose.yml');
export const CRITERIA = ['Build', 'Boot', 'Stability', 'Migrations', 'Seed idempotent', 'Pages > 0', 'E2E', 'Annotation POST', 'Tests', 'Warnings', 'Restore', 'Upgrade', 'Shutdown'];

export interface SummaryStep {
  log: string;
  phase: string;
  status: string;
  detail: string;
  criterion?: string;
  startedAt?: string;
  endedAt?: string;
  /** The shutdown step's evidence: how each service stopped. */
  stops?: { service: string; signal: string; graceMs: number; running: boolean; exitCode: number | null; stopMs: number; killed: boolean }[];
}

export interface SummaryJson {
  verdict: string;
  stoppedAt?: string;
  steps: SummaryStep[];
  counts: Record<string, number>;
}

export interface GateRun {
  code: number | null;
  output: string;
  logDir: string;
  summary: string;
  json: SummaryJson | null;
  read(name: string): string;
  /** The summary's ✅/❌ line of one criterion. */
  line(title: string): string;
}

/** A finished gate read back from its log dir (the text summary, summary.json, any log). */
export function readGateRun(logDir: string, run: { code: number | null; stdout: string; stderr: string }): GateRun {
  const read = (name: string) => readFileSync(join(logDir, name), 'utf8');
  const summary = existsSync(join(logDir, '17_validation_summary.log')) ? read('17_validation_summary.log') : '';
  const json = existsSync(join(logDir, 'summary.json')) ? (JSON.parse(read('summary.json')) as SummaryJson) : null;
  const line = (title: string) => summary.split('\n').find((l) => /[✅❌]/.test(l) && l.includes(` ${title}:`)) ?? '';
  return { code: run.code, output: run.stdout + run.stderr, logDir, summary, json, read, line };
}

/** What a failing assertion shows: the criteria lines, the tail of each failed step's log. */
export function evidence(run: GateRun): string {
  const marks = run.summary.split('\n').filter((l) => /[✅❌]/.test(l));
  const failed = (run.json?.steps ?? [])
    .filter((s) => s.status === 'failed')
    .map((s) => `--- ${s.log} ---\n${existsSync(join(run.logDir, s.log)) ? run.read(s.log).split('\n').slice(-25).join('\n') : '(missing)'}`);
  return [`exit ${run.code}`, run.output.split('\n').slice(-15).join('\n'), ...marks, ...failed].join('\n');
}

/** The engine's objects of `kinds` carrying `label` (`key=value`), as `kind name` lines: none after a run. */
export function labelledObjects(label: string, kinds: ('service' | 'container' | 'network' | 'volume')[] = ['container', 'volume', 'network']): string[] {
  const command: Record<string, string[]> = {
    service: ['service', 'ls'],
    container: ['ps', '-a'],
    network: ['network', 'ls'],
    volume: ['volume', 'ls'],
  };
  return kinds.flatMap((kind) => {
    const args = [...(command[kind] as string[]), '--filter', `label=${label}`, '--format', kind === 'container' ? '{{.Names}}' : '{{.Name}}'];
    const r = spawnSync('docker', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => `${kind} ${l.trim()}`);
  });
}

/** Every fault switch of the sample off (a test turns one on in its own env). */
export const NO_FAULTS: Record<string, string> = { KORRIGO_LITE_FAULT: '', KORRIGO_LITE_BUILD_FAULT: '', KORRIGO_LITE_CRASH_AFTER_MS: '', NGINX_BASE_URL: '' };

/**
 * One of the sample's configs, extended to remove the volumes at teardown (the preset keeps them,
 * as Korrigo's gate does) plus `extra` lines, so that each run leaves nothing behind. Written once
 * the engine answers `engineCheck` (its failure says how to start one); `cleanup` runs after the
 * file's tests, as the safety net of an aborted test. Returns the wrapper's path (set in `before`).
 */
export function sampleWrapper(config: string, opts: { dirPrefix: string; extra?: string[]; engineCheck?: () => void; cleanup: () => void }): () => string {
  let dir = '';
  let file = '';
  before(() => {
    (opts.engineCheck ?? assertEngineAnswers)();
    dir = tempDir(opts.dirPrefix);
    file = writeConfig(dir, [`extends: ${JSON.stringify(config)}`, `cwd: ${JSON.stringify(SAMPLE)}`, 'teardown: { volumes: true }', ...(opts.extra ?? []), ''].join('\n'));
  });
  after(() => {
    opts.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  return () => file;
}

function assertEngineAnswers(): void {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8' });
  assert.equal(info.status, 0, `Docker engine not reachable (run bash scripts/docker-engine.sh): ${info.stderr ?? info.error}`);
}

/** `docker compose down -v` of one project of the sample: only that project, never anything else. */
export function composeDown(project: string): void {
  spawnSync('docker', ['compose', '-p', project, '-f', COMPOSE_FILE, 'down', '-v', '--remove-orphans', '--timeout', '5'], { cwd: SAMPLE, encoding: 'utf8' });
}
