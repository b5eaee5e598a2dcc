import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { LiveReporter, RunEnd, RunStart, StepEnd, StepStart } from '../src/reporters/live-reporter.js';
import type { RunResult } from '../src/model/run-result.js';
import { runGateInProcess } from './gate-in-process.js';
import { FIXTURES, freePort, marker, processesWith } from './helpers.js';

/*
 * Live output is hooks behind a multiplexer: a reporter beside the console sees the run as it
 * happens (a real gate on the local driver), and one that throws in every hook costs nothing.
 */
function config(port: number, tag: string): string {
  return `
name: live-hooks
baseUrl: http://127.0.0.1:${port}
criteria: { boot: Boot, health: Health, stability: Stability, seed: Seed }
stack:
  driver: local
  services:
    web:
      command: [node, ${JSON.stringify(join(FIXTURES, 'fixture-server.mjs'))}, --marker=${tag}]
      env: { PORT: "${port}", HEALTH_STATUS: "200", MARKER: "${tag}" }
      healthcheck: { http: "http://127.0.0.1:${port}/", interval: 200ms, retries: 25 }
      ports: [${port}]
phases:
  - id: clean
    steps: [{ log: 00_down, do: down, volumes: true }]
  - id: boot
    steps:
      - { log: 01_up, do: up }
      - { log: 02_ps, do: ps, ready: true, timeout: 20s, criterion: boot }
      - { log: 03_wait_health, do: wait-http, url: /health, timeout: 5s, interval: 200ms, service: web, criterion: health }
      - { log: 04_stability, do: stability, window: 1s, criterion: stability }
  - id: data
    steps: [{ log: 05_seed, do: exec, service: web, run: "echo seeded", criterion: seed }]
  - id: logs
    always: true
    steps: [{ log: 06_logs, do: logs }]
  - id: summary
    always: true
    steps: [{ log: 07_summary, do: summary }]
`;
}

/** Records the hooks it is called with, one line each. */
class Recorder implements LiveReporter {
  readonly calls: string[] = [];
  final: RunResult | undefined;
  onRunStart(run: RunStart): void {
    this.calls.push(`run-start ${run.name} ${run.driver}`);
  }
  onStepStart(step: StepStart): void {
    this.calls.push(`start ${step.label}`);
  }
  onStepEnd(step: StepEnd): void {
    this.calls.push(`end ${step.label} ${step.mark} ${step.result.status}`);
  }
  onRunEnd(end: RunEnd): void {
    this.final = end.result;
    this.calls.push(`run-end ${end.result.verdict} ${end.verdict}`);
  }
}

/** Throws in every hook, step lines included. */
const broken: LiveReporter = {
  wantsStepLines: true,
  onRunStart: () => { throw new Error('boom'); },
  onStepStart: () => { throw new Error('boom'); },
  onStepEnd: () => { throw new Error('boom'); },
  onEvent: () => { throw new Error('boom'); },
  onRunEnd: () => { throw new Error('boom'); },
};

describe('live reporters on a real gate run', () => {
  it('calls onRunStart, onStepStart/onStepEnd per step in order, onRunEnd with the final result; a throwing reporter breaks nothing', async () => {
    const tag = marker();
    const recorder = new Recorder();
    const errors: string[] = [];
    const outcome = await runGateInProcess(config(await freePort(), tag), {
      extra: { reporters: [broken, recorder], liveErrors: (_subscriber, hook, err) => errors.push(`${hook}: ${(err as Error).message}`) },
    });
    assert.equal(outcome.exitCode, 0, JSON.stringify(outcome.result.criteria));
    assert.deepEqual(recorder.calls, [
      'run-start live-hooks local',
      'start 00_down', 'end 00_down passed passed',
      'start 01_up', 'end 01_up passed passed',
      'start 02_ps', 'end 02_ps passed passed',
      'start 03_wait_health', 'end 03_wait_health passed passed',
      // A watch ends twice: "watching" when its task returns, its verdict once every step has run.
      'start 04_stability', 'end 04_stability passed passed',
      'start 05_seed', 'end 05_seed passed passed',
      'start 06_logs', 'end 06_logs passed passed',
      'end 04_stability passed passed',
      'run-end passed ✅ GATE PASSED',
    ]);
    assert.deepEqual(recorder.final, outcome.result);
    // Each of the broken reporter's hooks was called, and its errors were kept from the run.
    for (const hook of ['onRunStart', 'onStepStart', 'onStepEnd', 'onEvent', 'onRunEnd']) assert.ok(errors.includes(`${hook}: boom`), `${hook} in ${errors.join(', ')}`);
    assert.deepEqual(processesWith(tag), []);
  });
});
