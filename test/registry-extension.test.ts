import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { configSchemaFor, loadConfig } from '../src/config/loader.js';
import { builtinRegistries, type Registries } from '../src/config/registries.js';
import { countReporter } from './fixtures/extension/count-reporter.js';
import { echoStep } from './fixtures/extension/echo-step.js';
import { nullDriverKind } from './fixtures/extension/null-driver.js';
import { runGateInProcess } from './gate-in-process.js';
import { tempDir, writeConfig } from './helpers.js';

/*
 * The registries are the only place a step kind, a driver or a reporter is named: adding one
 * is its own file plus one entry here, and the config schema, the loader and the runner
 * take it from there.
 */
const registries: Registries = {
  steps: [...builtinRegistries.steps, echoStep],
  drivers: [...builtinRegistries.drivers, nullDriverKind],
  reporters: { ...builtinRegistries.reporters, count: countReporter },
};

const CONFIG = `
name: extension
stack: { driver: "null", label: empty }
criteria: { said: Said }
reporters: [count]
phases:
  - id: main
    steps:
      - { log: 01_hello, do: echo, text: hello, expect: hello, criterion: said }
      - { log: 02_summary, do: summary }
`;

const gateWith = (yaml: string) => runGateInProcess(yaml, { registries });

describe('registries: a new driver, step kind and reporter are one file and one line each', () => {
  it('runs a gate on a driver, a step kind and a reporter the built-in registries do not know', async () => {
    const run = await gateWith(CONFIG);
    assert.equal(run.exitCode, 0, run.read('02_summary.log'));
    assert.match(run.read('01_hello.log'), /hello/);
    assert.match(run.read('02_summary.log'), /✅ Said: said hello/);
    assert.equal(run.read('count.txt'), 'passed: 1/1 steps passed\n');
    assert.match(run.read('summary.json'), /"verdict": "passed"/);
  });

  it('judges the new kind like any other: a failing echo fails the gate', async () => {
    const run = await gateWith(CONFIG.replace('expect: hello', 'expect: goodbye'));
    assert.equal(run.exitCode, 1);
    assert.match(run.read('02_summary.log'), /❌ Said: said hello, expected goodbye/);
  });

  it('validates the new kinds through the schema built from the registries, and only there', () => {
    const dir = tempDir();
    const file = writeConfig(dir, CONFIG.replace('text: hello,', 'text: 42,'));
    assert.throws(() => loadConfig({ configPath: file, cwd: dir, env: {}, registries }), /phases\[0\]\.steps\[0\]\.text|01_hello.*text|expected a string/);
    // The built-in registries refuse what they do not know, naming what they allow.
    assert.throws(() => loadConfig({ configPath: writeConfig(dir, CONFIG), cwd: dir, env: {} }), /unknown driver value.*allowed: local, compose/s);
    const schema = JSON.stringify(z.toJSONSchema(configSchemaFor(registries), { io: 'input', unrepresentable: 'any' }));
    assert.match(schema, /"const":"echo"/);
    assert.match(schema, /"const":"null"/);
    assert.match(schema, /"count"/);
  });
});
