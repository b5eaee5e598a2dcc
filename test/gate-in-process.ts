// One gate run in this process, from a YAML text: what the engine tests share (the CLI tests
// spawn the bundle instead). The driver is real: the config's own (local processes, or a test
// registry's); the console writes nowhere.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../src/common/clock.js';
import { Redactor } from '../src/common/redactor.js';
import { loadConfig } from '../src/config/loader.js';
import { builtinRegistries, type Registries } from '../src/config/registries.js';
import { bindStack } from '../src/drivers/bound-stack.js';
import { Console } from '../src/engine/console.js';
import { runGate, type GateRunOptions, type GateRunOutcome } from '../src/engine/gate-runner.js';
import type { StepResult } from '../src/model/run-result.js';
import type { StackDriver } from '../src/model/stack.js';
import { tempDir, writeConfig } from './helpers.js';

export interface InProcessRun extends GateRunOutcome {
  dir: string;
  logDir: string;
  /** A file of the log dir. */
  read(name: string): string;
  /** The result of the step whose log is `log` (`03_echo.log`). */
  step(log: string): StepResult | undefined;
  /** The run's driver, released: to look at (or stop) what a --keep-up run left. */
  driver: StackDriver;
}

/** Loads `yaml` (written to a fresh dir) and runs the gate on its driver; `extra` adds reporters, hooks, a clock. */
export async function runGateInProcess(
  yaml: string,
  o: { registries?: Registries; clock?: Clock; extra?: Partial<Pick<GateRunOptions, 'reporters' | 'liveErrors' | 'hooks' | 'keepUp' | 'interrupt'>> } = {},
): Promise<InProcessRun> {
  const registries = o.registries ?? builtinRegistries;
  const clock = o.clock ?? systemClock;
  const dir = tempDir();
  const file = writeConfig(dir, yaml);
  const { config } = loadConfig({ configPath: file, cwd: dir, env: {}, registries });
  const logDir = join(dir, 'logs');
  const driver = await bindStack(registries, config.stack).create({ root: dir, env: {}, forceClean: false, clock });
  const outcome = await runGate({
    config,
    configFile: file,
    registries,
    driver,
    logDir,
    root: dir,
    env: {},
    redactor: new Redactor(),
    interrupt: new AbortController().signal,
    keepUp: false,
    verbose: false,
    version: 'test',
    console: new Console({ write: () => true, isTTY: false } as unknown as NodeJS.WriteStream),
    ...o.extra,
  });
  return {
    ...outcome,
    dir,
    logDir,
    driver,
    read: (name) => readFileSync(join(logDir, name), 'utf8'),
    step: (log) => outcome.result.steps.find((s) => s.log === log),
  };
}
