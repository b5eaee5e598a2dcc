import { join } from 'node:path';
import { formatDuration, parseDuration } from '../common/duration.js';
import { RgError, errorMessage } from '../common/errors.js';
import type { StepStatus } from '../model/run-result.js';
import type { StepOutcome } from '../steps/step-kind.js';
import { blameInstability } from './crash-blame.js';
import { pastDeadline, stopAt, type RunState, type StepRecord } from './run-state.js';
import { preflight } from './preflight.js';
import { stepContext } from './step-context.js';
import { StepLog } from './step-log.js';
import { stepResult } from './step-result.js';
import type { Task, TaskAbort, TaskStatus } from './task-loop.js';

/** A step as a task of the loop: a `hard` kind is cut at its timeout, a `budget` kind judges within it. */
export function stepTask(state: RunState, record: StepRecord): Task {
  const { planned } = record;
  const hard = planned.kind.timeout === 'hard' && planned.step.timeout !== undefined ? parseDuration(planned.step.timeout) : null;
  return { title: planned.logName, timeoutMs: hard, run: (abort) => runStep(state, record, abort) };
}

/** Opens a step's log in the log dir (append: several steps may share one file). */
export function openStepLog(state: RunState, logName: string): StepLog {
  return new StepLog(join(state.opts.logDir, `${logName}.log`), state.opts.redactor, state.live, logName);
}

/** Runs one step with its own log; records its result; returns its status for the loop. */
async function runStep(state: RunState, record: StepRecord, abort: TaskAbort): Promise<TaskStatus> {
  const { opts, clock, live } = state;
  const { planned, index } = record;
  const { step, phase, logName, title } = planned;
  state.running = { index, started: clock.now() };
  const log = openStepLog(state, logName);
  const started = clock.now();
  live.onStepStart({ index, id: planned.id, label: logName, title: opts.redactor.redact(title) });
  log.line(`=== ${logName} — ${title} (phase ${phase.id}${phase.title ? `: ${phase.title}` : ''}) ===`);
  const heartbeat = setInterval(() => live.onEvent({ type: 'heartbeat', label: logName, elapsedMs: clock.now() - started }), 1000);
  heartbeat.unref();
  let outcome: StepOutcome;
  let status: TaskStatus;
  try {
    if (!state.preflightDone && !phase.always) await preflight(state, log);
    outcome = await planned.bound.run(stepContext(state, record, log, abort.signal));
    status = abort.reason() ?? (outcome.passed ? 'passed' : 'failed');
    if (status === 'passed' && outcome.evidence === 0) {
      // A check that observed nothing proved nothing: never a green.
      status = 'failed';
      outcome = { ...outcome, passed: false, detail: `no evidence: ${outcome.detail}` };
      log.line(`✗ ${outcome.detail}`);
    }
  } catch (err) {
    status = abort.reason() ?? 'failed';
    outcome = { passed: false, detail: status === 'failed' ? errorMessage(err) : abortDetail(state, status, step.timeout) };
    if (status === 'failed') classify(state, err, phase.always);
    log.line(`✗ ${outcome.detail}`);
    if (err instanceof RgError && err.hint) log.line(`hint: ${err.hint}`);
    // A config or environment error decides the exit code: its stable code says which, as the CLI's own errors do.
    if (err instanceof RgError && err.exitCode !== 1) log.line(`(${err.code}, exit ${err.exitCode})`);
    if (opts.verbose && err instanceof Error && err.stack) log.line(err.stack);
  } finally {
    clearInterval(heartbeat);
  }
  if (status !== 'passed' && status !== 'failed' && outcome.passed) outcome = { ...outcome, passed: false, detail: abortDetail(state, status, step.timeout) };
  // A step's own time limit fails the step; only the gate's deadline makes the run "timed out".
  if (status === 'timedout' && !pastDeadline(state)) status = 'failed';
  if (status === 'failed') {
    const blamed = await blameInstability(state, outcome, started, log);
    if (blamed === outcome) record.unexplained = true;
    outcome = blamed;
  }
  for (const [criterion, verdict] of Object.entries(outcome.criteria ?? {})) {
    const list = state.extraVerdicts.get(criterion) ?? [];
    list.push({ ...verdict, log: `${logName}.log` });
    state.extraVerdicts.set(criterion, list);
  }
  if (status === 'passed' && outcome.pending) {
    // The verdict comes at the end of the run; the log stays open to stream what happens.
    record.pending = { outcome: outcome.pending, log, started };
    const result = { ...stepResult(planned, 'passed', outcome, started, clock.now()), detail: 'watching' };
    record.result = result;
    live.onStepEnd({ index, label: logName, mark: 'passed', durationMs: clock.now() - started, detail: 'watching until the end of the run', result });
    return 'passed';
  }
  return endStep(state, record, log, status, outcome, started);
}

/**
 * Closes a step's log and records its result. `stops`: whether a failure here stopped the gate
 * (false for verdicts given at the end of the run, when every step has run).
 */
export async function endStep(state: RunState, record: StepRecord, log: StepLog, taskStatus: TaskStatus, given: StepOutcome, started: number, stops = true): Promise<TaskStatus> {
  const { opts, clock } = state;
  const { planned, index } = record;
  let outcome = given;
  // Recorded as abandoned already: what it does now comes too late for the verdict.
  if (record.abandoned) return taskStatus;
  if (state.running?.index === index) state.running = null;
  let status: StepStatus = outcome.notJudged ? 'not-run' : taskStatus;
  const ended = clock.now();
  // The detail of a passed step lives in the summary; repeating it here would add lines to the
  // seed's greps (`grep "pages=" 11_db_sanity.log` must list the READY copies only).
  log.line(`=== ${outcome.notJudged ? 'NOT JUDGED' : status.toUpperCase()} in ${((ended - started) / 1000).toFixed(1)}s${status === 'passed' ? '' : `: ${outcome.detail}`} ===`);
  await log.close();
  if (log.writeError) {
    // Evidence that could not be written is evidence lost: the step cannot pass.
    if (status === 'passed') status = 'failed';
    outcome = { ...outcome, passed: false, detail: `cannot write ${planned.logName}.log: ${log.writeError.message}` };
    if (log.writeError.code === 'ENOSPC' || log.writeError.code === 'EDQUOT') state.setup.environmentError = true;
  }
  const result = stepResult(planned, status, outcome, started, ended);
  state.live.onStepEnd({
    index,
    label: planned.logName,
    mark: outcome.notJudged ? 'not-judged' : status === 'passed' ? 'passed' : status === 'failed' ? 'failed' : 'interrupted',
    durationMs: ended - started,
    detail: opts.redactor.redact(outcome.detail),
    result,
    // Service output is in the files only: a failure shows what explains it (the request and
    // response of a failed check, a command's last output) without --verbose.
    ...(status === 'failed' && !opts.verbose ? { failure: { lastLines: log.lastLines(), http: outcome.http } } : {}),
  });
  record.result = result;
  if (outcome.deviations?.length) state.stepDeviations.push(...outcome.deviations);
  if (outcome.judgements?.length) state.evidence.push({ id: planned.id, log: `${planned.logName}.log`, judgements: outcome.judgements });
  if (stops && status !== 'passed' && !planned.phase.always) stopAt(state, `${planned.logName}.log${status === 'failed' ? '' : ` (${status})`}`);
  return status as TaskStatus;
}

/**
 * A step the driver cannot run (an external target is not built, started or stopped by the
 * gate): a one-line log says why, the result is `not-applicable` (never ✅), and it stops nothing.
 */
export function notApplicableTask(state: RunState, record: StepRecord, reason: string): Task {
  const { planned } = record;
  return {
    title: planned.logName,
    run: async () => {
      const log = openStepLog(state, planned.logName);
      const at = state.clock.now();
      log.line(`=== ${planned.logName} — ${planned.title} (phase ${planned.phase.id}) ===`);
      log.line(`n/a: not applicable to this target (${state.target.description}): ${reason}`);
      await log.close();
      state.live.info(`  n/a ${planned.logName} — not applicable: ${reason}`);
      record.result = { ...stepResult(planned, 'not-applicable', { passed: false, detail: `not applicable: ${reason}` }, at, at), durationMs: 0 };
      return 'passed';
    },
  };
}

/** Exit 2/3 describe the run's set-up: they count when the stack could not be run at all, not when log capture fails. */
function classify(state: RunState, err: unknown, always: boolean): void {
  if (!(err instanceof RgError)) return;
  if (!always && err.exitCode === 3) state.setup.environmentError = true;
  if (state.stackUnavailable && err.exitCode === 2) state.setup.configError = true;
}

function abortDetail(state: RunState, status: TaskStatus, timeout: string | number | undefined): string {
  if (status === 'interrupted') return 'interrupted';
  if (pastDeadline(state)) return `stopped: the gate's deadline (${formatDuration(state.opts.deadlineMs ?? 0)}) passed`;
  return `timed out after ${timeout}`;
}
