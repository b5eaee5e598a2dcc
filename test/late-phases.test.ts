// Late-stage phases (src/engine/phase-tasks.ts): a step that disturbs the stack (a drill, the
// shutdown check) ends the stability watch first, so what it does to the services is never read
// as instability; an `ifPassed` phase runs only on a gate that passed so far. Real processes.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { defineStepKind } from '../src/steps/step-kind.js';
import { loadConfig } from '../src/config/loader.js';
import { builtinRegistries, type Registries } from '../src/config/registries.js';
import { RgConfigError } from '../src/common/errors.js';
import { echoStep } from './fixtures/extension/echo-step.js';
import { stopAllStep } from './fixtures/extension/stop-all-step.js';
import { runGateInProcess } from './gate-in-process.js';
import { tempDir, writeConfig } from './helpers.js';

const registries: Registries = { ...builtinRegistries, steps: [...builtinRegistries.steps, echoStep, stopAllStep] };

function gateYaml(o: { said: string; lateDrill: string }): string {
  return `
name: late-phases
stack:
  driver: local
  services:
    idle: { command: [node, -e, "setInterval(() => {}, 1000)"], restart: always }
criteria: { boot: Boot, stability: Stability, said: Said, drill: Drill }
phases:
  - id: boot
    steps:
      - { log: 01_up, do: up, criterion: boot }
      - { log: 02_stability, do: stability, window: 1s, criterion: stability }
  - id: main
    steps:
      - { log: 03_echo, do: echo, text: ${o.said}, expect: hello, criterion: said }
${o.lateDrill}
  - id: summary
    always: true
    steps: [{ log: 09_summary, do: summary }]
`;
}

const IF_PASSED = `  - id: drill
    ifPassed: true
    steps: [{ log: 04_drill, do: stop-all, criterion: drill }]`;

const gate = (yaml: string) => runGateInProcess(yaml, { registries });

describe('late-stage phases: drills after the log capture', () => {
  it('a step that stops every service runs after the stability verdict: the stop is not instability', async () => {
    const run = await gate(gateYaml({ said: 'hello', lateDrill: IF_PASSED }));
    assert.equal(run.exitCode, 0, run.read('09_summary.log'));
    assert.equal(run.step('02_stability.log')?.status, 'passed', run.read('02_stability.log'));
    assert.equal(run.step('04_drill.log')?.status, 'passed');
    assert.match(run.read('04_drill.log'), /every service stopped/);
    // The watch's verdict was given before the drill began.
    const stabilityEnd = Date.parse(run.step('02_stability.log')?.endedAt ?? '');
    const drillStart = Date.parse(run.step('04_drill.log')?.startedAt ?? '');
    assert.ok(stabilityEnd <= drillStart, `stability ended ${run.step('02_stability.log')?.endedAt}, drill began ${run.step('04_drill.log')?.startedAt}`);
  });

  it('an ifPassed phase does not run on a gate that already failed: "not run", naming the failure', async () => {
    const run = await gate(gateYaml({ said: 'goodbye', lateDrill: IF_PASSED }));
    assert.equal(run.exitCode, 1);
    const drill = run.step('04_drill.log');
    assert.equal(drill?.status, 'not-run');
    assert.match(drill?.detail ?? '', /runs only on a passing gate \(03_echo\.log/);
  });

  it('a step that disturbs the stack is refused in a main phase, naming where it belongs', () => {
    const dir = tempDir();
    const yaml = gateYaml({ said: 'hello', lateDrill: '' }).replace('      - { log: 03_echo', '      - { log: 04_drill, do: stop-all }\n      - { log: 03_echo');
    const file = writeConfig(dir, yaml);
    assert.throws(
      () => loadConfig({ configPath: file, cwd: dir, env: {}, registries }),
      (err: unknown) => err instanceof RgConfigError && /"stop-all" step stops or replaces the stack's services: put it in a phase with always: true or ifPassed: true/.test(err.message),
    );
  });

  it('--keep-up: the shutdown check does not run (the stack stays up), is not judged, and the run reads PARTIAL', async () => {
    const yaml = gateYaml({ said: 'hello', lateDrill: '' })
      .replace('criteria: { boot: Boot,', 'criteria: { shutdown: Shutdown, boot: Boot,')
      .replace(', drill: Drill }', ' }')
      .replace('  - id: summary\n', '  - id: S\n    always: true\n    steps: [{ log: 05_shutdown, do: shutdown, criterion: shutdown }]\n  - id: summary\n');
    const run = await runGateInProcess(yaml, { registries, extra: { keepUp: true } });
    const sink = { line: () => undefined, write: () => true };
    try {
      assert.equal(run.exitCode, 0, run.read('09_summary.log'));
      const shutdown = run.step('05_shutdown.log');
      assert.deepEqual([shutdown?.status, shutdown?.notJudged, shutdown?.detail], ['not-run', true, 'not run: --keep-up leaves the stack up']);
      assert.equal(run.result.complete, false);
      assert.ok(run.result.deviations.includes('05_shutdown.log not run: --keep-up leaves the stack up'), run.result.deviations.join('; '));
      assert.doesNotMatch(run.read('09_summary.log'), /[✅❌] Shutdown/);
      assert.deepEqual((await run.driver.services()).map((s) => [s.name, s.state]), [['idle', 'running']]);
    } finally {
      await run.driver.down({ volumes: false }, sink);
    }
  });

  it('a first Ctrl-C during the log capture: the drill after it does not start (no down -v under the user)', async () => {
    const interrupt = new AbortController();
    // Ctrl-C while the logs are captured: the always phases go on, the drill must not.
    const ctrlC = defineStepKind({
      name: 'ctrl-c',
      schema: z.strictObject({}),
      timeout: 'hard',
      title: () => 'Ctrl-C',
      run: async () => (interrupt.abort('SIGINT'), { passed: true, detail: 'interrupted' }),
    });
    const yaml = gateYaml({ said: 'hello', lateDrill: `  - id: G\n    always: true\n    steps: [{ log: 03b_logs, do: ctrl-c }]\n${IF_PASSED}` });
    const run = await runGateInProcess(yaml, { registries: { ...registries, steps: [...registries.steps, ctrlC] }, extra: { interrupt: interrupt.signal } });
    assert.equal(run.step('04_drill.log')?.status, 'not-run');
    assert.equal(run.step('04_drill.log')?.detail, 'not run: interrupted');
    assert.ok(!existsSync(join(run.logDir, '04_drill.log')), 'the drill started');
  });
});
