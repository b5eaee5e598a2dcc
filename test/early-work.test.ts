// A late step's early work (StepKind.startEarly, the upgrade drill's previous build): started
// once, when the step that watches stability starts, so it overlaps the window; the step gets its
// promise; a gate that fails before the step still runs the work's cleanup at teardown; without
// a stability step, the step gets none and starts it itself. Real processes (local driver).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { builtinRegistries, type Registries } from '../src/config/registries.js';
import { defineStepKind } from '../src/steps/step-kind.js';
import { echoStep } from './fixtures/extension/echo-step.js';
import { runGateInProcess } from './gate-in-process.js';

/** What the early work and the step did, in order, with when (ms since the epoch). */
const events: { what: string; at: number }[] = [];
const note = (what: string) => events.push({ what, at: Date.now() });
/** Set by a test: the early work's cleanup fails (what it could not remove). */
let cleanupFails = false;

const earlyProbeStep = defineStepKind({
  name: 'early-probe',
  schema: z.strictObject({}),
  timeout: 'hard',
  title: () => 'Early probe',
  startEarly: (_step, ctx) => {
    note('early started');
    ctx.onTeardown('early cleanup', (log) => {
      note('early cleanup');
      log.line('early cleanup: removed what was built ahead');
      if (cleanupFails) throw new Error('the folder built ahead could not be removed');
    });
    return Promise.resolve('built ahead');
  },
  async run(_step, ctx, early) {
    const got = early ? await early : 'none';
    note(`run got ${got}`);
    ctx.log.line(`early work: ${got}`);
    return { passed: true, detail: `early work: ${got}`, evidence: 1 };
  },
});

const registries: Registries = { ...builtinRegistries, steps: [...builtinRegistries.steps, echoStep, earlyProbeStep] };

function gateYaml(o: { said: string; stability: boolean }): string {
  return `
name: early-work
stack:
  driver: local
  services:
    idle: { command: [node, -e, "setInterval(() => {}, 1000)"] }
criteria: { said: Said, late: Late }
phases:
  - id: boot
    steps:
      - { log: 01_up, do: up }
${o.stability ? '      - { log: 02_stability, do: stability, window: 1s }' : ''}
  - id: main
    steps:
      - { log: 03_echo, do: echo, text: ${o.said}, expect: hello, criterion: said }
  - id: late
    ifPassed: true
    steps: [{ log: 04_late, do: early-probe, criterion: late }]
  - id: summary
    always: true
    steps: [{ log: 09_summary, do: summary }]
`;
}

const gate = (o: { said: string; stability: boolean }) => runGateInProcess(gateYaml(o), { registries });
const whats = () => events.map((e) => e.what);

describe('early work of a late step', () => {
  it('starts once when the stability step starts (after up, before the main steps) and reaches the step as its promise', async () => {
    events.length = 0;
    const run = await gate({ said: 'hello', stability: true });
    assert.equal(run.exitCode, 0, run.read('09_summary.log'));
    assert.deepEqual(whats(), ['early started', 'run got built ahead', 'early cleanup']);
    const started = events[0]?.at ?? 0;
    assert.ok(started >= Date.parse(run.step('01_up.log')?.endedAt ?? ''), 'started before up ended');
    assert.ok(started <= Date.parse(run.step('03_echo.log')?.startedAt ?? ''), 'started after the main steps began');
    assert.match(run.read('04_late.log'), /early work: built ahead/);
  });

  it('a gate that fails before the step: the step does not run, the early work is cleaned up at teardown', async () => {
    events.length = 0;
    const run = await gate({ said: 'goodbye', stability: true });
    assert.equal(run.exitCode, 1);
    assert.equal(run.step('04_late.log')?.status, 'not-run');
    assert.deepEqual(whats(), ['early started', 'early cleanup']);
  });

  it("the cleanup writes teardown.log; one that fails says why there and fails the gate's Teardown", async () => {
    events.length = 0;
    const passed = await gate({ said: 'hello', stability: true });
    assert.equal(passed.exitCode, 0, passed.read('09_summary.log'));
    assert.match(passed.read('teardown.log'), /early cleanup: removed what was built ahead/);
    cleanupFails = true;
    try {
      const run = await gate({ said: 'hello', stability: true });
      assert.equal(run.exitCode, 1, run.read('09_summary.log'));
      const teardown = run.read('teardown.log');
      assert.match(teardown, /early cleanup: removed what was built ahead/);
      assert.match(teardown, /✗ early cleanup failed: the folder built ahead could not be removed/);
      assert.match(run.read('09_summary.log'), /❌ Teardown: early cleanup failed: the folder built ahead could not be removed/);
    } finally {
      cleanupFails = false;
    }
  });

  it('no stability step: nothing starts early, the step gets no promise', async () => {
    events.length = 0;
    const run = await gate({ said: 'hello', stability: false });
    assert.equal(run.exitCode, 0, run.read('09_summary.log'));
    assert.deepEqual(whats(), ['run got none']);
  });
});
