import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../common/clock.js';
import { parseDuration } from '../common/duration.js';
import { RgError, errorMessage } from '../common/errors.js';
import type { StabilityMonitor } from '../checks/stability-watch.js';
import type { GateConfig, PhaseConfig, StepConfig } from '../config/schema.js';
import type { StackDriver } from '../drivers/stack-driver.js';
import { builtinReporters, renderAll } from '../reporters/reporters.js';
import { Console } from './console.js';
import { evaluateCriteria } from './criteria.js';
import type { Redactor } from './redactor.js';
import type { PhaseResult, RunResult, StepResult, StepStatus } from './run-result.js';
import type { StepContext, StepOutcome } from './step-context.js';
import { StepLog } from './step-log.js';
import { runHandler } from './steps/step-handlers.js';

export interface GateRunOptions {
  config: GateConfig;
  configFile: string;
  driver: StackDriver;
  logDir: string;
  /** Project root: where host steps run. */
  root: string;
  env: Record<string, string>;
  redactor: Redactor;
  /** Aborted on the first SIGINT/SIGTERM: the running step stops, logs and summary still run. */
  interrupt: AbortSignal;
  /** Aborted on a second signal: give up on log capture too. */
  forceStop?: AbortSignal;
  keepUp: boolean;
  verbose: boolean;
  version: string;
  console?: Console;
  clock?: Clock;
  /** Step ids selected by --only/--skip/--from; all when absent. */
  selected?: Set<string>;
}

export interface GateRunOutcome {
  result: RunResult;
  exitCode: 0 | 1 | 2 | 3 | 130;
}

interface PlannedStep {
  phase: PhaseConfig;
  step: StepConfig;
  id: string;
  logName: string;
}

/** Name of a step's log, with {window} and {runs} filled in. */
export function stepLogName(step: StepConfig): string {
  let name = step.log;
  if (step.do === 'stability') name = name.replaceAll('{window}', String(Math.round((parseDuration(step.window) ?? 0) / 1000)));
  if (step.do === 'scenario') name = name.replaceAll('{runs}', String(step.scenario.runs));
  return name;
}

export function stepId(step: StepConfig): string {
  return step.id ?? step.log;
}

/**
 * Runs the phases in order with fail-fast, then the `always` phases (log capture) whatever
 * happened, then the teardown, then the summary and reports. Every step writes its own
 * numbered log. Never throws for a gate failure: the outcome carries the verdict.
 */
export async function runGate(opts: GateRunOptions): Promise<GateRunOutcome> {
  const clock = opts.clock ?? systemClock;
  const console = opts.console ?? new Console();
  const startedAt = clock.now();
  mkdirSync(opts.logDir, { recursive: true });
  const counts: Record<string, number> = {};
  const results: StepResult[] = [];
  const phases: PhaseResult[] = [];
  // Held in an object: the up step sets it from inside a closure.
  const watch: { stability: StabilityMonitor | null } = { stability: null };
  let stoppedAt: string | undefined;
  let environmentError = false;
  let configError = false;
  // Set when the preflight failed: the stack cannot be reached, so log capture and teardown
  // would only repeat the same error.
  let stackUnavailable = false;
  let interrupted = false;
  const criteriaFromSteps = new Map<string, { passed: boolean; detail: string; log: string }[]>();

  const planned: PlannedStep[] = opts.config.phases.flatMap((phase) =>
    phase.steps.map((step) => ({ phase, step, id: stepId(step), logName: stepLogName(step) })),
  );
  const summarySteps = planned.filter((p) => p.step.do === 'summary');
  console.banner(`release-gate ${opts.version} — ${opts.config.name} (${opts.driver.name} driver)`);
  console.info(`artifacts: ${opts.logDir}`);

  const runStep = async (planned: PlannedStep, signal: AbortSignal): Promise<StepResult> => {
    const { step, phase, logName } = planned;
    const logFile = `${logName}.log`;
    const log = new StepLog(join(opts.logDir, logFile), opts.redactor, console, logName);
    const title = step.title ?? defaultTitle(step);
    const started = clock.now();
    console.stepStart(logName, opts.redactor.redact(title));
    console.resetProgress();
    log.line(`=== ${logName} — ${title} (phase ${phase.id}${phase.title ? `: ${phase.title}` : ''}) ===`);
    const limitMs = hardTimeout(step);
    const stepSignal = limitMs ? AbortSignal.any([signal, AbortSignal.timeout(limitMs)]) : signal;
    const ctx: StepContext = {
      config: opts.config,
      driver: opts.driver,
      log,
      signal: stepSignal,
      clock,
      env: opts.env,
      redactor: opts.redactor,
      logDir: opts.logDir,
      root: opts.root,
      artifactPath: (name) => join(opts.logDir, name),
      counts,
      stability: watch.stability,
      setStability: (monitor) => {
        watch.stability = monitor;
        ctx.stability = monitor;
      },
      logName,
    };
    let outcome: StepOutcome;
    let status: StepStatus;
    const heartbeat = setInterval(() => console.heartbeat(logName, clock.now() - started), 1000);
    try {
      if (planned === firstRunnable) {
        try {
          await opts.driver.preflight(log);
        } catch (err) {
          stackUnavailable = true;
          throw err;
        }
      }
      outcome = await runHandler(step as Exclude<StepConfig, { do: 'summary' }>, ctx);
      // A command killed by the interrupt returns an exit code like any other: it was interrupted.
      status = signal.aborted ? 'interrupted' : outcome.passed ? 'passed' : 'failed';
    } catch (err) {
      if (signal.aborted) {
        status = 'interrupted';
        outcome = { passed: false, detail: 'interrupted' };
      } else {
        status = 'failed';
        const timedOut = stepSignal.aborted;
        const message = timedOut ? `timed out after ${step.timeout}` : errorMessage(err);
        outcome = { passed: false, detail: message };
        // Exit 2/3 describe the run's set-up: they count when the stack could not be run at all,
        // not when log capture fails after an ordinary failure.
        if (err instanceof RgError && !phase.always && err.exitCode === 3) environmentError = true;
        if (err instanceof RgError && stackUnavailable && err.exitCode === 2) configError = true;
        log.line(`✗ ${message}`);
        if (err instanceof RgError && err.hint) log.line(`hint: ${err.hint}`);
        if (opts.verbose && err instanceof Error && err.stack) log.line(err.stack);
      }
    } finally {
      clearInterval(heartbeat);
    }
    const ended = clock.now();
    // The detail of a passed step lives in the summary; repeating it here would add lines to the
    // seed's greps (`grep "pages=" 11_db_sanity.log` must list the READY copies only).
    log.line(`=== ${status.toUpperCase()} in ${((ended - started) / 1000).toFixed(1)}s${status === 'passed' ? '' : `: ${outcome.detail}`} ===`);
    await log.close();
    if (log.writeError) {
      // Evidence that could not be written is evidence lost: the step cannot pass.
      status = status === 'interrupted' ? status : 'failed';
      outcome = { ...outcome, passed: false, detail: `cannot write ${logFile}: ${log.writeError.message}` };
      if (log.writeError.code === 'ENOSPC' || log.writeError.code === 'EDQUOT') environmentError = true;
    }
    console.stepEnd(logName, status === 'passed' ? 'passed' : status === 'interrupted' ? 'interrupted' : 'failed', ended - started, opts.redactor.redact(outcome.detail));
    for (const [criterion, verdict] of Object.entries(outcome.criteria ?? {})) {
      const list = criteriaFromSteps.get(criterion) ?? [];
      list.push({ ...verdict, log: logFile });
      criteriaFromSteps.set(criterion, list);
    }
    return {
      id: planned.id,
      phase: phase.id,
      log: logFile,
      title,
      status,
      startedAt: new Date(started).toISOString(),
      endedAt: new Date(ended).toISOString(),
      durationMs: ended - started,
      ...(outcome.exitCode === undefined ? {} : { exitCode: outcome.exitCode }),
      detail: outcome.detail,
      ...(step.criterion ? { criterion: step.criterion } : {}),
    };
  };

  const isSelected = (p: PlannedStep) => !opts.selected || opts.selected.has(p.id);
  const firstRunnable = planned.find((p) => isSelected(p) && p.step.do !== 'summary' && !p.phase.always) ?? null;

  let teardown: TeardownOutcome | null = null;
  try {
    for (const phase of opts.config.phases) {
      const phaseSteps = planned.filter((p) => p.phase === phase && p.step.do !== 'summary');
      const phaseStart = clock.now();
      const statuses: StepStatus[] = [];
      for (const p of phaseSteps) {
        const canRun = isSelected(p) && (phase.always ? !opts.forceStop?.aborted : stoppedAt === undefined && !opts.interrupt.aborted);
        if (!canRun || stackUnavailable) {
          const why = stackUnavailable
            ? 'not run: the environment check failed'
            : stoppedAt
              ? `not run: the gate stopped at ${stoppedAt}`
              : isSelected(p)
                ? 'not run: interrupted'
                : 'not selected';
          results.push(notRun(p, why));
          statuses.push('not-run');
          continue;
        }
        // After an interrupt, always-phases run on their own signal so log capture can finish.
        const signal = phase.always ? (opts.forceStop ?? new AbortController().signal) : opts.interrupt;
        const result = await runStep(p, signal);
        results.push(result);
        statuses.push(result.status);
        if (result.status === 'interrupted') {
          interrupted = true;
          stoppedAt ??= `${result.log} (interrupted)`;
        } else if (result.status === 'failed' && !phase.always && stoppedAt === undefined) {
          stoppedAt = result.log;
        }
      }
      if (opts.interrupt.aborted && !interrupted) {
        interrupted = true;
        stoppedAt ??= `phase ${phase.id} (interrupted)`;
      }
      phases.push(phaseResult(phase, statuses, phaseStart, clock.now()));
    }
  } finally {
    watch.stability?.stop();
    // The summary comes before the teardown (a hung `down` must not cost the evidence); it is
    // written again below when the teardown changes the verdict.
    if (!stackUnavailable) await writeSummary(opts, buildResult(), summarySteps, console).catch((err: Error) => console.info(`summary: ${err.message}`));
    teardown = stackUnavailable ? (await opts.driver.close(), { ok: true, detail: '' }) : await runTeardown(opts, console);
  }

  function buildResult(): RunResult {
    const endedAt = clock.now();
    const criteria = evaluateCriteria(opts.config, results, criteriaFromSteps, stoppedAt, Boolean(opts.selected));
    if (teardown && !teardown.ok) criteria.push({ id: 'teardown', title: 'Teardown', passed: false, detail: teardown.detail, logs: ['teardown.log'] });
    const verdict = interrupted ? 'interrupted' : results.some((r) => r.status === 'failed') || criteria.some((c) => !c.passed) ? 'failed' : 'passed';
    return {
      tool: { name: 'release-gate', version: opts.version },
      config: opts.configFile,
      logDir: opts.logDir,
      verdict,
      ...(stoppedAt ? { stoppedAt } : {}),
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      durationMs: endedAt - startedAt,
      phases,
      steps: results,
      criteria,
      counts: { ...counts },
      artifacts: [],
    };
  }

  if (opts.interrupt.aborted && !interrupted) {
    // Interrupted during the teardown: say so.
    interrupted = true;
    stoppedAt ??= 'teardown (interrupted)';
  }
  const result = buildResult();
  await writeSummary(opts, result, summarySteps, console);
  const code = verdict(result, { configError, environmentError });
  console.banner(
    result.verdict === 'passed' ? '✅ GATE PASSED' : result.verdict === 'interrupted' ? '■ GATE INTERRUPTED' : `❌ GATE FAILED${stoppedAt ? ` (stopped at ${opts.redactor.redact(stoppedAt)})` : ''}`,
  );
  console.info(`artifacts: ${opts.logDir}`);
  return { result, exitCode: code };
}

/** DESIGN.md's exit codes: 130 interrupted, 2 config, 3 environment, 0 passed, else 1. */
function verdict(result: RunResult, errors: { configError: boolean; environmentError: boolean }): GateRunOutcome['exitCode'] {
  if (result.verdict === 'interrupted') return 130;
  if (errors.configError) return 2;
  if (errors.environmentError) return 3;
  return result.verdict === 'passed' ? 0 : 1;
}

interface TeardownOutcome {
  ok: boolean;
  detail: string;
}

/** Writes the summary log(s) and the reports; the artifact list covers everything written. */
async function writeSummary(opts: GateRunOptions, result: RunResult, summarySteps: PlannedStep[], console: Console): Promise<void> {
  const reporters = [...new Set(['json', ...opts.config.reporters] as const)];
  const reportFiles = reporters.map((name) => builtinReporters[name].fileName);
  const summaryLogs = summarySteps.map((s) => `${s.logName}.log`);
  result.artifacts = [...new Set([...readdirSync(opts.logDir), ...summaryLogs, ...reportFiles])].sort();
  for (const step of summarySteps) {
    // Truncated, not appended: the summary may be written twice (before and after teardown).
    const log = new StepLog(join(opts.logDir, `${step.logName}.log`), opts.redactor, console, step.logName, 'w');
    for (const summary of renderAll(result, ['summary'])) {
      log.line(summary.ok ? summary.content.trimEnd() : summary.error.message);
    }
    await log.close();
  }
  for (const report of renderAll(result, reporters)) {
    if (report.ok) writeFileSync(join(opts.logDir, report.fileName), opts.redactor.redact(report.content));
    // One broken reporter must not cost the others, nor the verdict.
    else console.info(opts.redactor.redact(report.error.message));
  }
}

async function runTeardown(opts: GateRunOptions, console: Console): Promise<TeardownOutcome> {
  if (opts.keepUp || !opts.config.teardown.enabled) {
    console.info(opts.keepUp ? 'teardown skipped (--keep-up): the stack is still running' : 'teardown disabled in the config');
    await opts.driver.close();
    return { ok: true, detail: 'skipped' };
  }
  const log = new StepLog(join(opts.logDir, 'teardown.log'), opts.redactor, console, 'teardown');
  try {
    await opts.driver.down({ volumes: opts.config.teardown.volumes }, log);
    log.line('stack stopped');
    return { ok: true, detail: 'stack stopped' };
  } catch (err) {
    // Something may still be running: that fails the gate, it is not a footnote.
    log.line(`✗ teardown failed: ${errorMessage(err)}`);
    return { ok: false, detail: `teardown failed: ${errorMessage(err)}` };
  } finally {
    await log.close();
    await opts.driver.close();
  }
}

/** wait-http, ps and stability use their timeout as a wait budget; other steps are cut at it. */
function hardTimeout(step: StepConfig): number | null {
  if (!step.timeout || step.do === 'wait-http' || step.do === 'ps' || step.do === 'stability') return null;
  return parseDuration(step.timeout);
}

function notRun(p: PlannedStep, detail: string): StepResult {
  return {
    id: p.id,
    phase: p.phase.id,
    log: `${p.logName}.log`,
    title: p.step.title ?? defaultTitle(p.step),
    status: 'not-run',
    detail,
    ...(p.step.criterion ? { criterion: p.step.criterion } : {}),
  };
}

function phaseResult(phase: PhaseConfig, statuses: StepStatus[], start: number, end: number): PhaseResult {
  const ran = statuses.some((s) => s !== 'not-run');
  const status: StepStatus = !ran
    ? 'not-run'
    : statuses.includes('interrupted')
      ? 'interrupted'
      : statuses.includes('failed')
        ? 'failed'
        : 'passed';
  return {
    id: phase.id,
    title: phase.title,
    status,
    ...(ran ? { startedAt: new Date(start).toISOString(), endedAt: new Date(end).toISOString(), durationMs: end - start } : {}),
  };
}

export function defaultTitle(step: StepConfig): string {
  switch (step.do) {
    case 'down':
      return step.volumes ? 'Stop the stack and remove volumes' : 'Stop the stack';
    case 'build':
      return step.noCache ? 'Build without cache' : 'Build';
    case 'up':
      return 'Start the stack';
    case 'ps':
      return step.ready ? 'Services running and healthy' : 'Service table';
    case 'wait-http':
      return `Wait for ${step.url}`;
    case 'stability':
      return `Stability window (${step.window})`;
    case 'exec':
      return `Run in ${step.service}: ${oneLineCommand(step.run)}`;
    case 'host':
      return `Run on the host: ${oneLineCommand(step.run)}`;
    case 'scenario':
      return `HTTP scenario, ${step.scenario.runs} run(s)`;
    case 'logs':
      return `Logs of ${step.service ?? 'all services'}${step.tail ? ` (tail ${step.tail})` : ''}`;
    case 'summary':
      return 'Validation summary';
  }
}

/** A command on one short line for titles: newlines folded, long scripts cut. */
function oneLineCommand(run: string | string[]): string {
  const text = (typeof run === 'string' ? run : run.map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ')).replace(/\s*\n\s*/g, '; ');
  return text.length > 90 ? `${text.slice(0, 89)}…` : text;
}
