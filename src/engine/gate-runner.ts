import type { KeyObject } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StackWatch, type Instability } from '../checks/stack-watch.js';
import { systemClock, type Clock } from '../common/clock.js';
import { formatDuration, parseDuration } from '../common/duration.js';
import { RgError, errorMessage } from '../common/errors.js';
import type { Redactor } from '../common/redactor.js';
import { builtinRegistries, driverKindOf, type Registries } from '../config/registries.js';
import type { GateConfig } from '../config/schema.js';
import { planSteps, type PlannedStep } from '../config/step-plan.js';
import { ATTESTATION_FILE, MANIFEST_FILE } from '../model/manifest.js';
import type { RunResult, RunTarget, StepResult, StepStatus } from '../model/run-result.js';
import type { CredentialProbe, CredentialRequestSink } from '../model/credential-probe.js';
import { KILL_NOT_REACHED, type LiveOutcome } from '../model/live-outcome.js';
import type { StackDriver } from '../model/stack.js';
import { waitFor } from '../common/wait.js';
import type { PendingOutcome, StepContext, StepOutcome } from '../steps/step-kind.js';
import { Console } from './console.js';
import { evaluateCriteria, type ExtraVerdicts } from './criteria.js';
import { writeEvidence, type StepEvidence } from '../evidence/evidence-file.js';
import { gateExitCode } from './gate-exit-code.js';
import { notJudgedDetail, runEndCriterion } from './not-judged.js';
import { collectProvenance, writeManifest, type ProvenanceAnswer } from '../evidence/manifest-writer.js';
import { StepLog } from './step-log.js';
import { writeSummary, type SummaryTarget } from './summary-writer.js';
import { EVIDENCE_LOST_EXIT, EvidenceCheck, expectedEvidence } from './evidence-check.js';
import { verdictBanner } from './verdict-banner.js';
import { runTasks, type Task, type TaskAbort, type TaskStatus } from './task-loop.js';
import { notRun, phaseResult } from './step-records.js';
import { TeardownStack } from './teardown-stack.js';

export interface GateRunOptions {
  config: GateConfig;
  configFile: string;
  registries?: Registries;
  driver: StackDriver;
  logDir: string;
  /** Project root: where host steps run. */
  root: string;
  env: Record<string, string>;
  redactor: Redactor;
  /** Aborted on the first signal (its reason: the signal's name): the running step stops, logs and summary still run. */
  interrupt: AbortSignal;
  /** Aborted on a second signal: give up on log capture too. */
  forceStop?: AbortSignal;
  /** Budget of the whole gate in ms (`deadline:` / --deadline). */
  deadlineMs?: number | null;
  keepUp: boolean;
  verbose: boolean;
  version: string;
  console?: Console;
  clock?: Clock;
  /** Step ids selected by --only/--skip/--from; all when absent. */
  selected?: Set<string>;
  /** What makes this run partial beside the selection (a window shorter than the config's). */
  deviations?: string[];
  /** Documented switches and their values, shown in the summary. */
  switches?: Record<string, string>;
  /** Lines shown under the first `artifacts:` line (the `latest` link). */
  notes?: readonly string[];
  /** ed25519 key (`--sign-key`): the manifest is also written as a signed DSSE envelope. */
  signKey?: KeyObject;
  /**
   * A live selftest run: steps repeat each authenticated request once without its credentials,
   * and once the stability watch runs (and the last such step is done) a service is killed.
   */
  live?: boolean;
  /** Selftest's healthy run: each request sent with credentials is listed here (the live run must resend each). */
  credentialRequests?: CredentialRequestSink;
}

export interface GateRunOutcome {
  result: RunResult;
  exitCode: number;
  /** What each step's verdict was judged from (also in evidence.json): `selftest` re-judges it. */
  evidence: StepEvidence[];
  /** A live selftest run's mutations (`live: true`). */
  live?: LiveOutcome;
  /** What is missing from the log dir at the end (the run then has no verdict, exit 3). */
  evidenceLost?: string;
  /**
   * Writes manifest.json (and the attestation) again over the log dir as it is now: for a command
   * that adds files after the run (selftest), so \`release-gate verify\` still holds.
   */
  reseal(): Promise<void>;
}

/** A step whose verdict waits for the end of the run (the stability watch). */
interface PendingStep {
  index: number;
  planned: PlannedStep;
  outcome: PendingOutcome;
  log: StepLog;
  started: number;
}

/**
 * Runs a gate: the main phases through the task loop (fail-fast), the minimum of any pending
 * watch, the `always` phases (log capture), the pending verdicts, the summary, the teardowns
 * (LIFO), the summary again (the teardown may change the verdict). Never throws for a gate
 * failure: the outcome carries the verdict and the exit code.
 */
export function runGate(opts: GateRunOptions): Promise<GateRunOutcome> {
  return new GateRun(opts).run();
}

class GateRun {
  private readonly clock: Clock;
  private readonly console: Console;
  private readonly registries: Registries;
  private readonly planned: PlannedStep[];
  private readonly results: (StepResult | undefined)[];
  private readonly counts: Record<string, number> = {};
  private readonly extraVerdicts: ExtraVerdicts = new Map();
  private readonly pending: PendingStep[] = [];
  /** Failed steps no instability explained when they ended: judged again once the run's events are in. */
  private readonly unexplained: number[] = [];
  private readonly teardowns = new TeardownStack();
  private readonly startedAt: number;
  private readonly deadlineAt: number | null;
  private watch: Promise<StackWatch> | null = null;
  private stoppedAt: string | undefined;
  /** When the gate stopped, since the run started (set with `stoppedAt`, by `stopAt`). */
  private stoppedAfterMs = 0;
  private verdictOverride: 'interrupted' | 'timedout' | undefined;
  private preflightDone = false;
  /** The preflight failed: the stack cannot be reached, so log capture and teardown would only repeat the error. */
  private stackUnavailable = false;
  private readonly setup = { configError: false, environmentError: false };
  private teardownFailure: string | undefined;
  /** The step running now: a step that ignores its stop past the loop's grace is recorded as such. */
  private running: { index: number; started: number } | null = null;
  private readonly abandoned = new Set<number>();
  private readonly evidence: StepEvidence[] = [];
  /** Deviations the steps accepted (an allowed retry), beside the run's own (--skip, a short window). */
  private readonly stepDeviations: string[] = [];
  private readonly target: RunTarget;
  /** Why the driver cannot start or stop this stack (an external target), or null. */
  private readonly lifecycleNotApplicable: string | null;
  /** Live selftest: the step after which a service is killed, or null; what the mutations did. */
  private readonly killAfter: number | null = null;
  private readonly liveOutcome: LiveOutcome | undefined;

  constructor(private readonly opts: GateRunOptions) {
    this.clock = opts.clock ?? systemClock;
    this.console = opts.console ?? new Console();
    this.registries = opts.registries ?? builtinRegistries;
    this.planned = planSteps(opts.config, this.registries);
    this.results = this.planned.map(() => undefined);
    this.startedAt = this.clock.now();
    this.deadlineAt = opts.deadlineMs ? this.startedAt + opts.deadlineMs : null;
    const driverKind = driverKindOf(this.registries, opts.config.stack.driver);
    this.target = { driver: driverKind.name, description: driverKind.describe(opts.config.stack as never), external: driverKind.external === true };
    this.lifecycleNotApplicable = driverKind.notApplicable?.(opts.config.stack as never, 'lifecycle') ?? null;
    if (opts.live) {
      const plan = killPoint(this.planned, (p) => this.isSelected(p));
      this.killAfter = typeof plan === 'number' ? plan : null;
      this.liveOutcome = { probes: [], kill: typeof plan === 'number' ? { planned: true, error: KILL_NOT_REACHED } : { planned: false, why: plan } };
    }
  }

  async run(): Promise<GateRunOutcome> {
    const { opts } = this;
    mkdirSync(opts.logDir, { recursive: true });
    const evidenceCheck = EvidenceCheck.start(opts.logDir);
    this.teardowns.push('release the driver', () => opts.driver.close());
    this.console.banner(`release-gate ${opts.version} — ${opts.config.name} (${opts.driver.name} driver)`);
    this.console.info(`artifacts: ${opts.logDir}`);
    for (const note of opts.notes ?? []) this.console.info(note);
    if (this.target.external) this.console.info(`target: an external deployment, ${this.target.description}: not started or stopped by the gate`);
    for (const [name, value] of Object.entries(opts.switches ?? {})) this.console.info(`switch ${name}=${value} (${opts.config.switches[name]?.description ?? ''})`);

    const main = this.indexes((p) => !p.phase.always && !p.kind.summary);
    const always = this.indexes((p) => p.phase.always && !p.kind.summary);
    const loop = await runTasks(this.mainTasks(main), { interrupt: opts.interrupt, deadlineAt: this.deadlineAt, clock: this.clock, failFast: true });
    this.noteLoopEnd(loop.status);
    // Asked once the main phases are done (the stack as it ran) and answered while the window
    // is waited out; awaited before the always phases, which may take the stack down.
    const asked: Promise<ProvenanceAnswer> = this.stackUnavailable ? Promise.resolve({ error: 'the environment check failed: nothing ran' }) : collectProvenance(opts.driver);
    if (this.stoppedAt === undefined) await this.waitOutPending();
    this.recordAbandoned();
    if (this.stoppedAt !== undefined && !this.stackUnavailable && !opts.verbose) await this.showTroubledServices();
    const provenance = await asked;
    if (!this.stackUnavailable) {
      const force = opts.forceStop ?? new AbortController().signal;
      await runTasks(this.alwaysTasks(always, force), { interrupt: force, clock: this.clock, failFast: false });
    }
    await this.finishPending();
    await this.judgeUnreached();
    await this.blameLate();
    if (opts.interrupt.aborted && !this.verdictOverride) this.noteLoopEnd('interrupted');

    // Before the summary: its artifact list names evidence.json.
    try {
      writeEvidence(opts.logDir, this.evidence, opts.redactor);
    } catch (err) {
      this.console.info(`evidence.json: ${errorMessage(err)}`);
    }
    const summary = this.summaryTarget();
    await writeSummary(summary, this.buildResult()).catch((err: Error) => this.console.info(`summary: ${err.message}`));
    await this.runTeardowns();
    if (opts.interrupt.aborted && !this.verdictOverride) {
      this.verdictOverride = 'interrupted';
      this.stopAt('teardown (interrupted)');
    }
    const result = this.buildResult();
    await writeSummary(summary, result).catch((err: Error) => this.console.info(`summary: ${err.message}`));
    // Last of all: the hashes must cover the final summary.
    const seal = () =>
      writeManifest({
        logDir: opts.logDir,
        result,
        config: opts.config,
        configFile: opts.configFile,
        root: opts.root,
        driverName: opts.driver.name,
        provenance,
        redactor: opts.redactor,
        signKey: opts.signKey,
      }).then(
        () => undefined,
        (err: Error) => this.console.info(`manifest: ${err.message}`),
      );
    await seal();
    const signal = opts.interrupt.aborted ? signalName(opts.interrupt.reason) : undefined;
    // Checked before any verdict is shown: without its evidence on disk a run has no verdict (exit 3).
    const evidenceLost = evidenceCheck.lost(expectedEvidence(summary, result));
    if (evidenceLost === null) this.console.summary(result);
    this.console.banner(verdictBanner(result, opts.redactor, evidenceLost));
    this.console.info(`artifacts: ${opts.logDir}`);
    const exitCode = evidenceLost === null ? gateExitCode(result, this.setup, signal) : EVIDENCE_LOST_EXIT;
    return { result, exitCode, ...(evidenceLost === null ? {} : { evidenceLost }), evidence: this.evidence, ...(this.liveOutcome ? { live: this.liveOutcome } : {}), reseal: seal };
  }

  /** The first stop wins: a failed step, an interrupt, the deadline; unreached criteria read "not judged" from it. */
  private stopAt(where: string): void {
    if (this.stoppedAt !== undefined) return;
    this.stoppedAt = where;
    this.stoppedAfterMs = this.clock.now() - this.startedAt;
  }

  private indexes(keep: (p: PlannedStep) => boolean): number[] {
    return this.planned.flatMap((p, i) => (keep(p) ? [i] : []));
  }

  private isSelected(p: PlannedStep): boolean {
    return !this.opts.selected || this.opts.selected.has(p.id);
  }

  /** The main phases as tasks; stops yielding once a pending watch broke (fail fast on instability). */
  private *mainTasks(indexes: number[]): Generator<Task> {
    for (const index of indexes) {
      const planned = this.planned[index] as PlannedStep;
      if (!this.isSelected(planned)) {
        this.results[index] = notRun(planned, 'not selected');
        continue;
      }
      const broken = this.pending.find((p) => p.outcome.broken());
      if (broken) {
        this.stopAt(broken.log.path.split('/').pop() as string);
        return;
      }
      yield planned.notApplicable === null ? this.stepTask(index) : this.notApplicableTask(index, planned.notApplicable);
      // Live selftest: a task of its own, outside the step's time limit, once the step passed.
      if (index === this.killAfter && this.results[index]?.status === 'passed') yield { title: 'selftest: kill a service', run: async (abort) => (await this.killDuringWatch(planned, abort.signal), 'passed') };
    }
  }

  private *alwaysTasks(indexes: number[], force: AbortSignal): Generator<Task> {
    for (const index of indexes) {
      const planned = this.planned[index] as PlannedStep;
      if (!this.isSelected(planned)) this.results[index] = notRun(planned, 'not selected');
      else if (force.aborted) this.results[index] = notRun(planned, 'not run: interrupted');
      else yield planned.notApplicable === null ? this.stepTask(index) : this.notApplicableTask(index, planned.notApplicable);
    }
  }

  private stepTask(index: number): Task {
    const planned = this.planned[index] as PlannedStep;
    const hard = planned.kind.timeout === 'hard' && planned.step.timeout !== undefined ? parseDuration(planned.step.timeout) : null;
    return { title: planned.logName, timeoutMs: hard, run: (abort) => this.runStep(index, abort) };
  }

  /**
   * Live selftest: SIGKILL of a service's main process while the stability watch runs, through
   * the driver (`killService`). Waits until the watch has seen it, so the gate stops at the next
   * step as it would on a real crash; the Stability verdict must then name the service.
   */
  private async killDuringWatch(after: PlannedStep, signal: AbortSignal): Promise<void> {
    const live = this.liveOutcome as LiveOutcome;
    const { driver } = this.opts;
    if (!driver.killService) {
      live.kill = { planned: true, notApplicable: `the ${driver.name} driver cannot kill a service (it does not own the processes)` };
      return;
    }
    try {
      const watch = await this.startWatch();
      const victim = (await driver.services()).find((s) => s.state === 'running' && !s.oneShot);
      if (!victim) {
        live.kill = { planned: true, error: 'no running service to kill' };
        return;
      }
      const at = new Date(this.clock.now()).toISOString();
      this.console.info(`selftest (live): killing service ${victim.name} (SIGKILL) during the stability watch, after ${after.logName}`);
      await driver.killService(victim.name);
      const seen = await waitFor(async () => ({ done: watch.problemsSoFar().some((p) => p.service === victim.name), value: null }), {
        timeoutMs: 30_000,
        intervalMs: 500,
        clock: this.clock,
        signal,
        wake: (wake) => watch.onEvent(wake),
      });
      live.kill = { planned: true, service: victim.name, at, afterStep: `${after.logName}.log`, seen: seen.ok };
    } catch (err) {
      if (signal.aborted) throw err;
      live.kill = { planned: true, error: errorMessage(err) };
    }
  }

  /**
   * A step the driver cannot run (an external target is not built, started or stopped by the
   * gate): a one-line log says why, the result is `not-applicable` (never ✅), and it stops nothing.
   */
  private notApplicableTask(index: number, reason: string): Task {
    const planned = this.planned[index] as PlannedStep;
    return {
      title: planned.logName,
      run: async () => {
        const { opts } = this;
        const log = new StepLog(join(opts.logDir, `${planned.logName}.log`), opts.redactor, this.console, planned.logName);
        const at = this.clock.now();
        log.line(`=== ${planned.logName} — ${planned.title} (phase ${planned.phase.id}) ===`);
        log.line(`n/a: not applicable to this target (${this.target.description}): ${reason}`);
        await log.close();
        this.console.info(`  n/a ${planned.logName} — not applicable: ${reason}`);
        this.results[index] = { ...this.stepResult(planned, 'not-applicable', { passed: false, detail: `not applicable: ${reason}` }, at, at), durationMs: 0 };
        return 'passed';
      },
    };
  }

  /** Runs one step with its own log; records its result; returns its status for the loop. */
  private async runStep(index: number, abort: TaskAbort): Promise<TaskStatus> {
    const planned = this.planned[index] as PlannedStep;
    this.running = { index, started: this.clock.now() };
    const { step, phase, logName, title } = planned;
    const { opts } = this;
    const log = new StepLog(join(opts.logDir, `${logName}.log`), opts.redactor, this.console, logName);
    const started = this.clock.now();
    this.console.stepStart(logName, opts.redactor.redact(title));
    this.console.resetProgress();
    log.line(`=== ${logName} — ${title} (phase ${phase.id}${phase.title ? `: ${phase.title}` : ''}) ===`);
    const heartbeat = setInterval(() => this.console.heartbeat(logName, this.clock.now() - started), 1000);
    heartbeat.unref();
    let outcome: StepOutcome;
    let status: TaskStatus;
    try {
      if (!this.preflightDone && !phase.always) await this.preflight(log);
      outcome = await planned.kind.run(step as never, this.context(planned, log, abort.signal));
      status = abort.reason() ?? (outcome.passed ? 'passed' : 'failed');
      if (status === 'passed' && outcome.evidence === 0) {
        // A check that observed nothing proved nothing: never a green.
        status = 'failed';
        outcome = { ...outcome, passed: false, detail: `no evidence: ${outcome.detail}` };
        log.line(`✗ ${outcome.detail}`);
      }
    } catch (err) {
      status = abort.reason() ?? 'failed';
      outcome = { passed: false, detail: status === 'failed' ? errorMessage(err) : this.abortDetail(status, step.timeout) };
      if (status === 'failed') this.classify(err, phase.always);
      log.line(`✗ ${outcome.detail}`);
      if (err instanceof RgError && err.hint) log.line(`hint: ${err.hint}`);
      if (opts.verbose && err instanceof Error && err.stack) log.line(err.stack);
    } finally {
      clearInterval(heartbeat);
    }
    if (status !== 'passed' && status !== 'failed' && outcome.passed) outcome = { ...outcome, passed: false, detail: this.abortDetail(status, step.timeout) };
    // A step's own time limit fails the step; only the gate's deadline makes the run "timed out".
    if (status === 'timedout' && !this.pastDeadline()) status = 'failed';
    if (status === 'failed') {
      const blamed = await this.blameInstability(outcome, started, log);
      if (blamed === outcome) this.unexplained.push(index);
      outcome = blamed;
    }
    for (const [criterion, verdict] of Object.entries(outcome.criteria ?? {})) {
      const list = this.extraVerdicts.get(criterion) ?? [];
      list.push({ ...verdict, log: `${logName}.log` });
      this.extraVerdicts.set(criterion, list);
    }
    if (status === 'passed' && outcome.pending) {
      // The verdict comes at the end of the run; the log stays open to stream what happens.
      this.pending.push({ index, planned, outcome: outcome.pending, log, started });
      this.results[index] = { ...this.stepResult(planned, 'passed', outcome, started, this.clock.now()), detail: 'watching' };
      this.console.stepEnd(logName, 'passed', this.clock.now() - started, 'watching until the end of the run');
      return 'passed';
    }
    return this.endStep(index, log, status, outcome, started);
  }

  /**
   * Closes a step's log and records its result. `stops`: whether a failure here stopped the gate
   * (false for verdicts given at the end of the run, when every step has run).
   */
  private async endStep(index: number, log: StepLog, taskStatus: TaskStatus, outcome: StepOutcome, started: number, stops = true): Promise<TaskStatus> {
    const planned = this.planned[index] as PlannedStep;
    // Recorded as abandoned already: what it does now comes too late for the verdict.
    if (this.abandoned.has(index)) return taskStatus;
    if (this.running?.index === index) this.running = null;
    let status: StepStatus = outcome.notJudged ? 'not-run' : taskStatus;
    const ended = this.clock.now();
    // The detail of a passed step lives in the summary; repeating it here would add lines to the
    // seed's greps (`grep "pages=" 11_db_sanity.log` must list the READY copies only).
    log.line(`=== ${outcome.notJudged ? 'NOT JUDGED' : status.toUpperCase()} in ${((ended - started) / 1000).toFixed(1)}s${status === 'passed' ? '' : `: ${outcome.detail}`} ===`);
    await log.close();
    if (log.writeError) {
      // Evidence that could not be written is evidence lost: the step cannot pass.
      if (status === 'passed') status = 'failed';
      outcome = { ...outcome, passed: false, detail: `cannot write ${planned.logName}.log: ${log.writeError.message}` };
      if (log.writeError.code === 'ENOSPC' || log.writeError.code === 'EDQUOT') this.setup.environmentError = true;
    }
    this.console.stepEnd(planned.logName, outcome.notJudged ? 'not-judged' : status === 'passed' ? 'passed' : status === 'failed' ? 'failed' : 'interrupted', ended - started, this.opts.redactor.redact(outcome.detail));
    // Service output is in the files only: a failure shows what explains it (the request and
    // response of a failed check, a command's last output) without --verbose.
    if (status === 'failed' && !this.opts.verbose) this.console.failure(planned.logName, log.lastLines(), outcome.http);
    this.results[index] = this.stepResult(planned, status, outcome, started, ended);
    if (outcome.deviations?.length) this.stepDeviations.push(...outcome.deviations);
    if (outcome.judgements?.length) this.evidence.push({ id: planned.id, log: `${planned.logName}.log`, judgements: outcome.judgements });
    if (stops && status !== 'passed' && !planned.phase.always) this.stopAt(`${planned.logName}.log${status === 'failed' ? '' : ` (${status})`}`);
    return status as TaskStatus;
  }

  private context(planned: PlannedStep, log: StepLog, signal: AbortSignal): StepContext {
    const { opts } = this;
    return {
      driver: opts.driver,
      log,
      signal,
      clock: this.clock,
      env: opts.env,
      stackEnv: opts.config.env,
      baseUrl: opts.config.baseUrl,
      redactor: opts.redactor,
      root: opts.root,
      artifactPath: (name) => join(opts.logDir, name),
      counts: this.counts,
      watch: () => this.startWatch(),
      logName: planned.logName,
      onTeardown: (title, teardown) => this.teardowns.push(title, teardown),
      ...(this.liveOutcome ? { credentialProbes: (probe: CredentialProbe) => this.liveOutcome?.probes.push(probe) } : {}),
      ...(opts.credentialRequests ? { credentialRequests: opts.credentialRequests } : {}),
    };
  }

  /** The whole-run watch, started once: by `up`, or by the first step that needs it when the run has none. */
  private startWatch(): Promise<StackWatch> {
    this.watch ??= StackWatch.start(this.opts.driver, this.clock).then((watch) => {
      this.teardowns.push('stop the stability watch', () => watch.stop());
      return watch;
    });
    return this.watch;
  }

  private async preflight(log: StepLog): Promise<void> {
    try {
      await this.opts.driver.preflight(log);
    } catch (err) {
      this.stackUnavailable = true;
      throw err;
    }
    this.preflightDone = true;
    // A deployment the gate did not start is not the gate's to stop.
    if (this.opts.keepUp || !this.opts.config.teardown.enabled || this.lifecycleNotApplicable !== null) return;
    // From here on the stack is this run's: it is stopped at the end, whatever happens.
    this.teardowns.push('stop the stack', () => this.stopStack());
  }

  private async stopStack(): Promise<void> {
    const log = new StepLog(join(this.opts.logDir, 'teardown.log'), this.opts.redactor, this.console, 'teardown');
    try {
      await this.opts.driver.down({ volumes: this.opts.config.teardown.volumes }, log);
      log.line('stack stopped');
    } catch (err) {
      log.line(`✗ teardown failed: ${errorMessage(err)}`);
      throw err;
    } finally {
      await log.close();
    }
  }

  private async runTeardowns(): Promise<void> {
    if (this.opts.keepUp) this.console.info('teardown skipped (--keep-up): the stack is still running');
    else if (!this.opts.config.teardown.enabled) this.console.info('teardown disabled in the config');
    const failures = await this.teardowns.runAll();
    // Something may still be running: that fails the gate, it is not a footnote.
    if (failures.length > 0) this.teardownFailure = failures.map((f) => `${f.title} failed: ${f.error}`).join('; ');
    // The engine failing to tear down is the environment's fault (exit 3), not the release's.
    if (failures.some((f) => f.cause instanceof RgError && f.cause.exitCode === 3)) this.setup.environmentError = true;
  }

  /** After a failure: the last lines of each service that exited badly, is unhealthy or restarted. */
  private async showTroubledServices(): Promise<void> {
    const { driver, redactor } = this.opts;
    try {
      const troubled = (await driver.services()).filter(
        (s) => s.health === 'unhealthy' || s.restartCount > 0 || s.oomKilled || (s.state === 'exited' && !(s.oneShot && s.exitCode === 0)),
      );
      for (const svc of troubled.slice(0, 3)) {
        const lines: string[] = [];
        const sink = { write: (chunk: string | Buffer) => lines.push(...String(chunk).split('\n').filter(Boolean)), line: (text: string) => lines.push(text) };
        await driver.logs(svc.name, { tail: 10, output: sink });
        this.console.evidence(`last lines of service ${svc.name} (${svc.state}, ${svc.health}, ${svc.restartCount} restarts):`, lines.slice(-10).map((l) => redactor.redact(l)));
      }
    } catch {
      // Evidence for the console only: the logs phase captures the services' logs anyway.
    }
  }

  /** Exit 2/3 describe the run's set-up: they count when the stack could not be run at all, not when log capture fails. */
  private classify(err: unknown, always: boolean): void {
    if (!(err instanceof RgError)) return;
    if (!always && err.exitCode === 3) this.setup.environmentError = true;
    if (this.stackUnavailable && err.exitCode === 2) this.setup.configError = true;
  }

  private abortDetail(status: TaskStatus, timeout: string | number | undefined): string {
    if (status === 'interrupted') return 'interrupted';
    if (this.pastDeadline()) return `stopped: the gate's deadline (${formatDuration(this.opts.deadlineMs ?? 0)}) passed`;
    return `timed out after ${timeout}`;
  }

  private pastDeadline(): boolean {
    return this.deadlineAt !== null && this.clock.now() >= this.deadlineAt;
  }

  /** A step that failed while a service crashed is blamed on the crash, and says so. */
  private async blameInstability(outcome: StepOutcome, started: number, log: StepLog): Promise<StepOutcome> {
    if (!this.watch) return outcome;
    const problems = (await this.watch).problemsBetween(started, this.clock.now());
    const first = problems[0];
    if (!first) return outcome;
    const cause = causeOf(first);
    log.line(`✗ ${cause}`);
    return { ...outcome, detail: `${outcome.detail} — ${cause}` };
  }

  /**
   * The engine may report a crash just after the step it broke: an exec killed with its
   * container returns (exit 137) tens of ms before Docker's `die` event arrives. Once the run's
   * events are in, a failed step is blamed on a problem seen up to LATE_EVENT_MS after its end.
   */
  private async blameLate(): Promise<void> {
    if (!this.watch) return;
    const watch = await this.watch;
    for (const index of this.unexplained.splice(0)) {
      const result = this.results[index];
      if (!result || result.status !== 'failed' || !result.startedAt || !result.endedAt) continue;
      const first = watch.problemsBetween(Date.parse(result.startedAt), Date.parse(result.endedAt) + LATE_EVENT_MS)[0];
      if (!first) continue;
      const cause = causeOf(first);
      this.results[index] = { ...result, detail: `${result.detail} — ${cause}` };
      const log = new StepLog(join(this.opts.logDir, result.log), this.opts.redactor, this.console, (this.planned[index] as PlannedStep).logName);
      log.line(`✗ ${cause} (reported by the engine after the step ended)`);
      await log.close();
    }
  }

  private noteLoopEnd(status: TaskStatus): void {
    if (status === 'interrupted' || status === 'timedout') {
      this.verdictOverride ??= status;
      this.stopAt(status === 'interrupted' ? 'interrupted' : 'deadline');
    }
  }

  /** In overlap mode the window is a minimum: when the phases finish sooner, the gate waits out the rest (within the deadline). */
  private async waitOutPending(): Promise<void> {
    const limits = [this.opts.interrupt, ...(this.deadlineAt === null ? [] : [AbortSignal.timeout(Math.max(0, this.deadlineAt - this.clock.now()))])];
    const signal = AbortSignal.any(limits);
    for (const pending of this.pending) {
      try {
        await pending.outcome.minimum(signal);
      } catch (err) {
        if (!signal.aborted) throw err;
        this.noteLoopEnd(this.opts.interrupt.aborted ? 'interrupted' : 'timedout');
        return;
      }
    }
  }

  /** A step the loop gave up on (it ignored its stop past the grace) is recorded, not left "not run". */
  private recordAbandoned(): void {
    if (!this.running || this.results[this.running.index]) return;
    const planned = this.planned[this.running.index] as PlannedStep;
    const outcome = { passed: false, detail: 'did not stop within the grace after it was asked to: abandoned' };
    this.results[this.running.index] = this.stepResult(planned, this.verdictOverride ?? 'interrupted', outcome, this.running.started, this.clock.now());
    this.stopAt(`${planned.logName}.log (abandoned)`);
    this.abandoned.add(this.running.index);
    this.running = null;
  }

  private async finishPending(): Promise<void> {
    for (const pending of this.pending.splice(0)) {
      let outcome: StepOutcome;
      try {
        outcome = await pending.outcome.finish();
      } catch (err) {
        outcome = { passed: false, detail: errorMessage(err) };
      }
      if (outcome.notJudged) {
        // Cut short by another step's failure with nothing wrong seen: "not judged", no second ❌.
        if (this.stoppedAt !== undefined) outcome = { ...outcome, detail: notJudgedDetail(this.stoppedAt, outcome.notJudged) };
        else {
          const { notJudged: _cut, ...judged } = outcome;
          outcome = judged;
        }
      }
      // The verdict of a watch that ran to the end stops nothing: every step has run.
      await this.endStep(pending.index, pending.log, outcome.passed ? 'passed' : 'failed', outcome, pending.started, false);
    }
  }

  /** Steps the gate stopped before may still judge run-wide evidence (a crash the watch saw). */
  private async judgeUnreached(): Promise<void> {
    if (!this.watch || this.stackUnavailable) return;
    for (const [index, planned] of this.planned.entries()) {
      if (this.results[index] || !planned.kind.judgeUnreached || !this.isSelected(planned)) continue;
      const log = new StepLog(join(this.opts.logDir, `${planned.logName}.log`), this.opts.redactor, this.console, planned.logName);
      const started = this.clock.now();
      let outcome: StepOutcome | null;
      try {
        outcome = await planned.kind.judgeUnreached(planned.step as never, this.context(planned, log, new AbortController().signal));
      } catch (err) {
        outcome = { passed: false, detail: errorMessage(err) };
      }
      if (outcome) await this.endStep(index, log, outcome.passed ? 'passed' : 'failed', outcome, started);
      else {
        // Nothing to say: the step stays "not run", and leaves no log behind.
        await log.close();
        rmSync(log.path, { force: true });
      }
    }
  }

  private stepResult(planned: PlannedStep, status: StepStatus, outcome: StepOutcome, started: number, ended: number): StepResult {
    return {
      id: planned.id,
      phase: planned.phase.id,
      log: `${planned.logName}.log`,
      title: planned.title,
      status,
      startedAt: new Date(started).toISOString(),
      endedAt: new Date(ended).toISOString(),
      durationMs: ended - started,
      ...(outcome.exitCode === undefined ? {} : { exitCode: outcome.exitCode }),
      detail: outcome.detail,
      ...(planned.step.criterion ? { criterion: planned.step.criterion } : {}),
      ...(outcome.latency ? { latency: outcome.latency } : {}),
      ...(outcome.retries ? { retries: outcome.retries } : {}),
      ...(outcome.http && status !== 'passed' ? { http: outcome.http } : {}),
      ...(outcome.answersBefore ? { answersBefore: outcome.answersBefore } : {}),
      ...(outcome.notJudged ? { notJudged: true } : {}),
    };
  }

  private buildResult(): RunResult {
    // Summary steps are the report itself, not a step of the run.
    const ran = this.planned.flatMap((p, i) => (p.kind.summary ? [] : [{ p, result: this.results[i] ?? notRun(p, this.notRunReason(p)) }]));
    const steps = ran.map((r) => r.result);
    const stop = this.stoppedAt === undefined ? undefined : { at: this.stoppedAt, afterMs: this.stoppedAfterMs };
    const criteria = evaluateCriteria(this.opts.config, steps, this.extraVerdicts, stop, Boolean(this.opts.selected));
    if (this.teardownFailure) criteria.push({ id: 'teardown', title: 'Teardown', passed: false, detail: this.teardownFailure, logs: ['teardown.log'] });
    if (criteria.length > 0 && criteria.every((c) => c.notApplicable || c.notSelected) && criteria.some((c) => c.notApplicable)) {
      // Nothing this target allows was judged: a gate of only "n/a" lines proves nothing.
      criteria.push({ id: 'applicable', title: 'Evidence', passed: false, detail: `no criterion is applicable to this target (${this.target.description}): nothing was judged`, logs: [] });
    }
    const failed = steps.some((r) => r.status === 'failed' || r.status === 'timedout') || criteria.some((c) => !c.passed && !c.notSelected && !c.notApplicable && !c.notJudged);
    const verdict = this.verdictOverride ?? (failed ? 'failed' : 'passed');
    const runEnd = runEndCriterion(verdict, criteria, stop);
    if (runEnd) criteria.push(runEnd);
    const endedAt = this.clock.now();
    return {
      tool: { name: 'release-gate', version: this.opts.version },
      config: this.opts.configFile,
      logDir: this.opts.logDir,
      verdict,
      target: this.target,
      ...(this.stoppedAt ? { stoppedAt: this.stoppedAt } : {}),
      ...(this.opts.switches && Object.keys(this.opts.switches).length > 0 ? { switches: this.opts.switches } : {}),
      complete: (this.opts.deviations ?? []).length + this.stepDeviations.length === 0,
      deviations: [...(this.opts.deviations ?? []), ...this.stepDeviations],
      startedAt: new Date(this.startedAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      durationMs: endedAt - this.startedAt,
      phases: this.opts.config.phases.map((phase) => phaseResult(phase, ran.filter((r) => r.p.phase === phase).map((r) => r.result))),
      steps,
      criteria,
      counts: { ...this.counts },
      artifacts: [],
    };
  }

  private notRunReason(p: PlannedStep): string {
    if (!this.isSelected(p)) return 'not selected';
    if (this.stackUnavailable) return 'not run: the environment check failed';
    if (this.stoppedAt) return `not run: the gate stopped at ${this.stoppedAt}`;
    return 'not run: interrupted';
  }

  private summaryTarget(): SummaryTarget {
    return {
      logDir: this.opts.logDir,
      summaryLogs: this.planned.filter((p) => p.kind.summary).map((p) => p.logName),
      reporters: this.opts.config.reporters,
      registry: this.registries.reporters,
      redactor: this.opts.redactor,
      console: this.console,
      extraFiles: [MANIFEST_FILE, ...(this.opts.signKey ? [ATTESTATION_FILE] : [])],
    };
  }
}

/**
 * Where the live kill goes: after the stability step has started watching and after the last
 * step that may repeat a request without credentials (a token wait, a scenario), so those run on
 * a healthy stack. Returns the step index, or why there is no kill.
 */
export function killPoint(planned: PlannedStep[], selected: (p: PlannedStep) => boolean): number | string {
  const main = planned.flatMap((p, i) => (!p.phase.always && !p.kind.summary && selected(p) && p.notApplicable === null ? [i] : []));
  const stability = main.find((i) => (planned[i] as PlannedStep).kind.name === 'stability');
  if (stability === undefined) return 'no stability step runs: nothing watches for a crash';
  const probing = main.filter((i) => ['wait-http', 'scenario'].includes((planned[i] as PlannedStep).kind.name));
  return Math.max(stability, ...probing);
}

/** How long after a failed step's end a crash may still be what broke it (the engine's event lag). */
const LATE_EVENT_MS = 2000;

function causeOf(problem: Instability): string {
  return `caused by ${problem.service} ${problem.what} at ${problem.at.toISOString().slice(11, 19)} (see Stability)`;
}

function signalName(reason: unknown): NodeJS.Signals | undefined {
  const text = reason instanceof Error ? reason.message : String(reason);
  return /^SIG[A-Z]+$/.test(text) ? (text as NodeJS.Signals) : undefined;
}
