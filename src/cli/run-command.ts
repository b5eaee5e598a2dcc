import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { systemClock } from '../common/clock.js';
import { parseDuration } from '../common/duration.js';
import { exitCodeForSignal } from '../common/exit-code.js';
import { RgEnvironmentError, RgUsageError } from '../common/errors.js';
import type { Redactor } from '../common/redactor.js';
import { RunLocks } from '../common/run-locks.js';
import { builtinRegistries, type Registries } from '../config/registries.js';
import { planSteps } from '../config/step-plan.js';
import { bindStack } from '../drivers/bound-stack.js';
import { Console } from '../engine/console.js';
import { runGate, type GateRunOptions, type GateRunOutcome } from '../engine/gate-runner.js';
import type { GateConfig } from '../config/schema.js';
import type { StackDriver } from '../model/stack.js';
import type { CliOptions } from './cli-options.js';
import { portVariables } from '../common/port-variables.js';
import { latestLinkNote, updateLatestLink } from './latest-link.js';
import type { ResolvedRun } from './resolve-run.js';
import { resolveCheckedRun } from './load-checks.js';
import { notRedactedNotice, runRedactor } from './run-redactor.js';

/**
 * What the stack gets: only variables that have a value. An empty one would override the
 * stack's own env file (compose gives the environment precedence, empty included): Korrigo's
 * backend then ran with an empty METRICS_TOKEN and a public /metrics.
 */
export function stackEnv(configEnv: Record<string, string>, generated: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries({ ...configEnv, ...generated }).filter(([, value]) => value !== ''));
}

/** The signals that interrupt the gate: closing the terminal (SIGHUP) included. */
const INTERRUPTS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/** Runs the gate once more under the same lock, signals and secrets, with a new driver: selftest's live run. */
export type RunAgain = (opts: { logDir: string; selected: Set<string>; config?: GateConfig; hooks?: GateRunOptions['hooks'] }) => Promise<{ outcome: GateRunOutcome; driver: StackDriver }>;

/** What runs after the first gate run (selftest) and gives the exit code instead. */
export type AfterRun = (outcome: GateRunOutcome, run: ResolvedRun, redactor: Redactor, again: RunAgain) => number | Promise<number>;

/**
 * `release-gate run`: resolves the config, wires signals, runs the gate, returns its exit code.
 * `after` (selftest) gets the outcome and the resolved run, and gives the exit code instead.
 */
export async function runCommand(
  opts: CliOptions,
  version: string,
  after?: AfterRun,
  /** More options of the first run (selftest's hook lists the requests sent with credentials). */
  first: Pick<GateRunOptions, 'hooks'> = {},
): Promise<number> {
  const registries = builtinRegistries;
  // Everything checkable before a process starts or a folder is created, reported at once.
  const { run, signKey, baseline } = resolveCheckedRun(opts, registries);
  const stack = bindStack(registries, run.config.stack);
  const logDirExisted = existsSync(run.logDir);
  try {
    mkdirSync(run.logDir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') throw new RgEnvironmentError('RG_DISK_SPACE', `No space left to create the log dir ${run.logDir}.`, 'Free some disk space.');
    throw new RgUsageError(`Cannot create the log dir ${run.logDir}: ${(err as Error).message}`, 'Pick another --log-dir / LOG_DIR.');
  }
  const { redactor, notRedacted } = runRedactor(run);

  const createDriver = () =>
    stack.create({
      root: run.root,
      env: stackEnv(run.config.env, run.generated),
      forceClean: Boolean(opts.forceClean),
      clock: systemClock,
      portVariables: portVariables([run.file], run.env),
    });
  const driver = await createDriver();
  // The stack as its kind names it, and what the run would remove under another gate's feet.
  const lockContext = { root: run.root, configFile: run.file, baseUrl: run.config.baseUrl };
  let lock: RunLocks;
  try {
    lock = RunLocks.acquire(stack.locks(lockContext, { builds: runBuilds(run, registries) }), { config: run.file, logDir: run.logDir });
  } catch (err) {
    await driver.close();
    // Refused before anything ran: leave no empty log dir of ours behind.
    if (!logDirExisted) rmSync(run.logDir, { recursive: true, force: true });
    throw err;
  }

  // Once the run is sure to start (a refused one removes its log dir): quick checks read this run.
  const latest = latestLinkNote(updateLatestLink(run.logDir, { root: run.root, home: homedir(), uid: process.getuid?.() }));

  const interrupt = new AbortController();
  const forceStop = new AbortController();
  const console = new Console(process.stdout, { verbose: Boolean(opts.verbose), redactor });
  const notice = notRedactedNotice(notRedacted);
  if (notice) console.info(notice);
  let signals = 0;
  /** The driver of the run in progress (selftest's live run has its own). */
  let active: StackDriver = driver;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      console.info(`\n${signal}: stopping the running step; logs and summary will still be written (send again to skip log capture)`);
      interrupt.abort(new Error(signal));
    } else if (signals === 2) {
      console.info(`\n${signal}: skipping log capture; tearing down (send again to quit at once, leaving the stack as it is)`);
      forceStop.abort(new Error(signal));
    } else {
      // Quit now, but first kill what is cheap to kill, synchronously, and say what is left.
      const left = active.abandon?.() ?? [];
      console.info(`\n${signal}: quitting at once${left.length > 0 ? '' : '; the stack is left as it is'}`);
      for (const line of left) console.info(`  ${line}`);
      lock.release();
      process.exit(exitCodeForSignal(signal));
    }
  };
  for (const signal of INTERRUPTS) process.on(signal, onSignal);
  try {
    const deadline = opts.deadline ?? run.config.deadline;
    const gateOptions = {
      config: run.config,
      configFile: run.file,
      registries,
      root: run.root,
      env: run.env,
      redactor,
      interrupt: interrupt.signal,
      forceStop: forceStop.signal,
      deadlineMs: deadline === undefined ? null : parseDuration(deadline),
      keepUp: Boolean(opts.keepUp),
      verbose: Boolean(opts.verbose),
      version,
      console,
      ...(run.selected ? { selected: run.selected } : {}),
      deviations: run.deviations,
      switches: run.switches,
      ...(signKey ? { signKey } : {}),
      ...(baseline ? { baseline } : {}),
    };
    const outcome = await runGate({ ...gateOptions, ...first, driver, logDir: run.logDir, ...(latest ? { notes: [latest] } : {}) });
    // The run has no verdict: selftest has nothing to judge either. One stderr line a CI log shows.
    if (outcome.evidenceLost !== undefined) {
      process.stderr.write(`evidence lost: ${outcome.evidenceLost}\n`);
      return outcome.exitCode;
    }
    const again: RunAgain = async (more) => {
      const next = await createDriver();
      active = next;
      return { outcome: await runGate({ ...gateOptions, config: more.config ?? run.config, driver: next, logDir: more.logDir, selected: more.selected, ...(more.hooks ? { hooks: more.hooks } : {}) }), driver: next };
    };
    return after ? await after(outcome, run, redactor, again) : outcome.exitCode;
  } finally {
    for (const signal of INTERRUPTS) process.off(signal, onSignal);
    lock.release();
  }
}

/** Whether a selected step builds (it rewrites the build outputs other runs only read). */
function runBuilds(run: ResolvedRun, registries: Registries): boolean {
  return planSteps(run.config, registries).some(
    (planned) => planned.notApplicable === null && (!run.selected || run.selected.has(planned.id)) && planned.bound.needs.includes('build'),
  );
}
