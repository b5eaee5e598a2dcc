import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { RgConfigError, RgEnvironmentError, RgUsageError } from '../common/errors.js';
import type { GateConfig } from '../config/schema.js';
import { createDriver } from '../drivers/driver-factory.js';
import { Console } from '../engine/console.js';
import { runGate } from '../engine/gate-runner.js';
import { Redactor } from '../engine/redactor.js';
import type { CliOptions } from './cli.js';
import { localStateDir, resolveRun } from './resolve-run.js';

/** `release-gate run`: resolves the config, wires signals, runs the gate, returns its exit code. */
export async function runCommand(opts: CliOptions, version: string): Promise<number> {
  const run = resolveRun(opts);
  if (existsSync(run.logDir) && readdirSync(run.logDir).length > 0) {
    throw new RgUsageError(`Log dir ${run.logDir} is not empty; its evidence would mix with this run's.`, 'Pick another --log-dir / LOG_DIR, or empty it.');
  }
  checkStackFiles(run.config.stack, run.root);
  try {
    mkdirSync(run.logDir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') throw new RgEnvironmentError('RG_DISK_SPACE', `No space left to create the log dir ${run.logDir}.`, 'Free some disk space.');
    throw new RgUsageError(`Cannot create the log dir ${run.logDir}: ${(err as Error).message}`, 'Pick another --log-dir / LOG_DIR.');
  }
  const redactor = new Redactor();
  for (const name of [...run.config.secrets.env, ...run.config.secrets.generate]) redactor.addSecret(run.env[name]);
  for (const pattern of run.config.secrets.patterns) redactor.addPattern(pattern);

  const stackEnv = { ...run.config.env, ...run.generated };
  const driver = await createDriver(run.config.stack, {
    root: run.root,
    env: stackEnv,
    stateDir: localStateDir(run.root, run.config.stack),
    forceClean: Boolean(opts.forceClean),
  });

  const interrupt = new AbortController();
  const forceStop = new AbortController();
  const console = new Console();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      console.info(`\n${signal}: stopping the running step; logs and summary will still be written (send again to skip log capture)`);
      interrupt.abort(new Error(signal));
    } else if (signals === 2) {
      console.info(`\n${signal}: skipping log capture; tearing down (send again to quit at once, leaving the stack as it is)`);
      forceStop.abort(new Error(signal));
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const outcome = await runGate({
      config: run.config,
      configFile: run.file,
      driver,
      logDir: run.logDir,
      root: run.root,
      env: run.env,
      redactor,
      interrupt: interrupt.signal,
      forceStop: forceStop.signal,
      keepUp: Boolean(opts.keepUp),
      verbose: Boolean(opts.verbose),
      version,
      console,
      ...(run.selected ? { selected: run.selected } : {}),
    });
    return outcome.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** A compose file that does not exist is a config mistake: report it before anything runs (exit 2). */
function checkStackFiles(stack: GateConfig['stack'], root: string): void {
  if (stack.driver !== 'compose') return;
  const missing = [stack.file].flat().filter((file) => !existsSync(resolve(root, file)));
  if (missing.length > 0) {
    throw new RgConfigError(
      missing.map((file) => ({
        where: 'stack.file',
        message: `compose file not found: ${resolve(root, file)} (set COMPOSE_FILE, or ROOT to your checkout, or run from it)`,
      })),
    );
  }
}
