import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { RgEnvironmentError, RgStepError } from '../src/common/errors.js';
import { builtinRegistries, type Registries } from '../src/config/registries.js';
import { bindDriver } from '../src/drivers/bound-stack.js';
import { defineDriverKind } from '../src/drivers/driver-kind.js';
import type { StackDriver } from '../src/model/stack.js';
import { echoStep } from './fixtures/extension/echo-step.js';
import { nullDriverKind } from './fixtures/extension/null-driver.js';
import { runGateInProcess } from './gate-in-process.js';

/*
 * Issue 24 point 9: the engine failing in clean or teardown is the environment (exit 3, its
 * message and the fixing command in the summary), never a failed release (exit 1); a leftover
 * the gate could not remove stays a failed teardown (exit 1). A driver whose `down` fails as
 * the compose driver's does (the real engine's path: fresh-evidence.docker.test.ts).
 */
const ENGINE_FAULT = () =>
  new RgEnvironmentError('RG_ENGINE_FAULT', 'The Docker engine refuses to remove network p_default (has active endpoints; moby#43286). Fix: `docker network rm p_default`.');
const LEFTOVER = () => new RgStepError('Project p still holds 1 object(s) after down: volume p_data (volume is in use).');

function faultyDriverKind(fail: { at: 'clean' | 'teardown'; error: () => Error }) {
  return defineDriverKind({
    name: 'faulty',
    schema: z.strictObject({}),
    describe: () => 'faulty',
    lock: () => ({ key: 'faulty', label: 'the faulty stack' }),
    async create(stack, ctx): Promise<StackDriver> {
      const base = await bindDriver(nullDriverKind, { label: 'faulty' }).create(ctx);
      let downs = 0;
      return {
        ...base,
        name: 'faulty',
        async down() {
          downs++;
          if ((fail.at === 'clean' && downs === 1) || (fail.at === 'teardown' && downs === 2)) throw fail.error();
        },
      };
    },
  });
}

async function gate(fail: { at: 'clean' | 'teardown'; error: () => Error }) {
  const kind = faultyDriverKind(fail);
  const registries: Registries = { steps: [...builtinRegistries.steps, echoStep], drivers: [...builtinRegistries.drivers, kind], reporters: builtinRegistries.reporters };
  const run = await runGateInProcess(
    `
name: engine-fault
stack: { driver: faulty }
criteria: { said: Said }
phases:
  - id: clean
    steps: [{ log: 00_down, do: down, volumes: true }]
  - id: main
    steps: [{ log: 01_hello, do: echo, text: hello, expect: hello, criterion: said }]
  - id: summary
    always: true
    steps: [{ log: 02_summary, do: summary }]
`,
    { registries },
  );
  return { ...run, summary: run.read('summary.json') };
}

describe('engine faults in clean and teardown', () => {
  it('exits 3, not 1, when the engine fails the teardown of a release whose criteria passed, with its message and the fixing command', async () => {
    const run = await gate({ at: 'teardown', error: ENGINE_FAULT });
    assert.equal(run.exitCode, 3);
    assert.match(run.summary, /"title": "Teardown"/);
    assert.match(run.summary, /moby#43286\)\. Fix: `docker network rm p_default`/);
  });

  it('exits 3 when the engine fails the clean', async () => {
    const run = await gate({ at: 'clean', error: ENGINE_FAULT });
    assert.equal(run.exitCode, 3);
    assert.match(run.summary, /refuses to remove network p_default/);
  });

  it('exits 1 when the teardown leaves something of the project (a leftover is the release\'s, not the engine\'s)', async () => {
    const run = await gate({ at: 'teardown', error: LEFTOVER });
    assert.equal(run.exitCode, 1);
    assert.match(run.summary, /volume p_data \(volume is in use\)/);
  });
});
