import { systemClock, type Clock } from '../common/clock.js';
import { formatDuration } from '../common/duration.js';
import type { OutputSink } from '../common/output.js';
import type { Redactor } from '../common/redactor.js';
import type { HttpExchange, ScenarioLatency, ScenarioRetry } from '../model/run-result.js';
import type { ScenarioExecution } from '../checks/judges.js';
import type { CredentialProbe, CredentialRequest } from '../model/credential-probe.js';
import { CookieSession } from './cookie-session.js';
import { LatencyRecorder, latencyTable } from './latency-stats.js';
import { RetryTally } from './retry-tally.js';
import type { ScenarioConfig, StepConfig } from './scenario-schema.js';
import { runStep, type StepEnv, type StepOutcome } from './step-runner.js';
import type { TemplateScope } from './template.js';

export interface ScenarioContext {
  /** e.g. http://127.0.0.1:8088; relative step URLs are joined to it. */
  baseUrl: string;
  /** Values of `{{env.NAME}}`. */
  env: Record<string, string>;
  /** The step log: every line is timestamped and redacted by the engine. */
  output: OutputSink;
  /** Abort stops at once: finally/teardown steps still get a short grace budget, then the abort is rethrown. */
  signal: AbortSignal;
  /** Every cookie value and every capture marked secret is registered here before it can be logged. */
  redactor: Redactor;
  /** Runs a command in a service (exec steps). */
  exec(service: string, argv: string[], output: OutputSink, signal: AbortSignal): Promise<{ exitCode: number }>;
  /** Time source for durations and retry pauses; the system clock by default. */
  clock?: Clock;
  /** Live selftest: each step that sent credentials repeats its request once without them. */
  credentialProbes?: (probe: Omit<CredentialProbe, 'log'>) => void;
  /** Selftest's healthy run: each step that sent credentials is listed here, not resent. */
  credentialRequests?: (request: Omit<CredentialRequest, 'log'>) => void;
}

export interface ScenarioResult {
  passed: boolean;
  /** Runs planned (config.runs). */
  runs: number;
  /** Runs started: fewer than planned when a run failed (the first failed run stops the others). */
  runsStarted: number;
  /** The first failure's last HTTP exchange (method, URL, status, content type, body start), redacted. */
  exchange?: HttpExchange;
  runsPassed: number;
  /** "3/3 runs passed" or "run 2/3 failed at annotate: POST /api/… → 400 (expected 201)". */
  detail: string;
  /** Per-criterion verdicts of steps tagged `criterion: <id>`: passed iff every execution of those steps met its expectations (not run → failed). */
  criteria: Record<string, { passed: boolean; detail: string }>;
  /** Per step p50/p95/max and failures per run; a budget exceeded fails the scenario. */
  latency: ScenarioLatency;
  /** Every step execution (skipped ones left out), with its HTTP status: the evidence `judgeScenario` judges. */
  executions: ScenarioExecution[];
  /** Criteria some step is tagged with. */
  tagged: string[];
  /** Steps that passed only after a retry, per step; one no step accepted fails the scenario. */
  retries: ScenarioRetry[];
  /** Retries accepted (`allowRetries`), one line each: the run's deviations. */
  acceptedRetries: (log: string) => string[];
}

/** Budget left to finally/teardown steps after an abort (release the lock, reset). */
export const ABORT_GRACE_MS = 5000;

interface Failure {
  step: string;
  reason: string;
  exchange?: HttpExchange;
}

/** A failed step as the scenario's failure: its name, why, and its last exchange. */
const failureOf = (step: StepConfig, outcome: { reason: string; exchange?: HttpExchange }): Failure => ({ step: step.name, reason: outcome.reason, ...(outcome.exchange ? { exchange: outcome.exchange } : {}) });

/**
 * Runs a scenario: setup once, then `runs` times the `each` steps followed by the
 * `finally` steps (always), then teardown (always). The first failed run stops further
 * runs. Writes banners `===== E2E RUN i/N =====` and a closing `✅ E2E: N/N RUNS PASSED`
 * or `❌ …` line naming the run and the step.
 */
export async function runScenario(config: ScenarioConfig, ctx: ScenarioContext): Promise<ScenarioResult> {
  const clock = ctx.clock ?? systemClock;
  const cookies = new CookieSession(ctx.baseUrl, ctx.redactor);
  const scope = new ScenarioScope(ctx.baseUrl, ctx.env, cookies);
  const allSteps = [...config.setup, ...config.each, ...config.finally, ...config.teardown];
  const criteria = new CriteriaTracker(allSteps);
  const executions: ScenarioExecution[] = [];
  const tagged = [...new Set(allSteps.flatMap((s) => (s.criterion ? [s.criterion] : [])))];
  const latency = new LatencyRecorder();
  const retries = new RetryTally();
  for (const list of ['setup', 'each', 'finally', 'teardown'] as const) {
    for (const step of config[list]) latency.declare(step.name, list, step.latency ?? config.defaults.latency);
  }
  let runNumber: number | undefined;
  const env: StepEnv = {
    baseUrl: ctx.baseUrl,
    defaults: config.defaults,
    scope,
    cookies,
    redactor: ctx.redactor,
    output: ctx.output,
    clock,
    exec: (service, argv, output, signal) => ctx.exec(service, argv, output, signal),
    ...(ctx.credentialProbes ? { credentialProbe: { probed: new Set<string>(), record: ctx.credentialProbes } } : {}),
    ...(ctx.credentialRequests && !ctx.credentialProbes ? { credentialProbe: { probed: new Set<string>(), list: ctx.credentialRequests } } : {}),
  };
  const { title, runs: total } = config;
  const out = ctx.output;

  const execute = async (step: StepConfig, where: string, signal: AbortSignal): Promise<StepOutcome> => {
    let outcome: StepOutcome;
    // All attempts and pages included: the time the step cost the user.
    const started = clock.now();
    try {
      outcome = await runStep(step, env, signal);
    } catch (err) {
      criteria.record(step, { status: 'failed', reason: 'interrupted' }, where);
      throw err;
    }
    if (outcome.status !== 'skipped') latency.record(step.name, clock.now() - started, outcome.status === 'failed', runNumber);
    criteria.record(step, outcome, where);
    if (outcome.status !== 'skipped') executions.push(executionOf(step, outcome, where));
    if (outcome.status === 'passed') {
      scope.capture(outcome.captures);
      retries.record(step, outcome.attempts);
    }
    return outcome;
  };

  /** Runs every step even after failures; on abort the rest get ABORT_GRACE_MS. */
  const runAlways = async (steps: StepConfig[], where: string): Promise<Failure | undefined> => {
    let first: Failure | undefined;
    let grace = ctx.signal.aborted ? AbortSignal.timeout(ABORT_GRACE_MS) : undefined;
    for (const step of steps) {
      try {
        const outcome = await execute(step, where, grace ?? ctx.signal);
        if (outcome.status === 'failed') first ??= failureOf(step, outcome);
      } catch (err) {
        if (!ctx.signal.aborted) throw err;
        if (grace?.aborted) out.line(`${step.name} not completed: no time left after the interruption`);
        grace ??= AbortSignal.timeout(ABORT_GRACE_MS);
        first ??= { step: step.name, reason: 'interrupted' };
      }
    }
    return first;
  };

  let failure: { label: string; failure: Failure } | undefined;
  let runsPassed = 0;
  let currentRun = 0;
  let interrupted = false;
  try {
    for (const step of config.setup) {
      const outcome = await execute(step, 'setup', ctx.signal);
      if (outcome.status === 'failed') {
        failure = { label: 'setup', failure: failureOf(step, outcome) };
        break;
      }
    }
    for (let run = 1; !failure && run <= total; run++) {
      currentRun = run;
      const label = `run ${run}/${total}`;
      out.line(`===== ${title} RUN ${run}/${total} =====`);
      const started = clock.now();
      runNumber = run;
      scope.startRun(run, total);
      let runFailure: Failure | undefined;
      try {
        for (const step of config.each) {
          const outcome = await execute(step, label, ctx.signal);
          if (outcome.status === 'failed') {
            runFailure = failureOf(step, outcome);
            break;
          }
        }
      } finally {
        // Runs on failure and on abort alike: release what this run holds.
        const finallyFailure = await runAlways(config.finally, label);
        runFailure ??= finallyFailure;
        scope.endRun();
        latency.endRun(run, clock.now() - started);
        runNumber = undefined;
      }
      // Lower case on purpose: `grep "E2E.*RUN.*PASSED"` must match the closing line only.
      if (runFailure) {
        out.line(`${label} failed at ${runFailure.step} (${formatDuration(clock.now() - started)})`);
        failure = { label, failure: runFailure };
      } else {
        out.line(`${label} ok (${formatDuration(clock.now() - started)})`);
        runsPassed++;
      }
    }
  } catch (err) {
    if (!ctx.signal.aborted) throw err;
    interrupted = true;
  }

  const teardownFailure = await runAlways(config.teardown, 'teardown');
  if (interrupted || ctx.signal.aborted) {
    out.line(`❌ ${title}: INTERRUPTED${currentRun > 0 ? ` during run ${currentRun}/${total}` : ' during setup'}`);
    throw ctx.signal.reason;
  }
  if (!failure && teardownFailure) failure = { label: 'teardown', failure: teardownFailure };

  const stats = latency.summary();
  for (const line of latencyTable(stats)) out.line(line);
  const overBudget = stats.steps.filter((s) => s.exceeded).map((s) => `${s.step} ${(s.exceeded ?? []).join(', ')}`);
  const retried = retries.describe();
  const unaccepted = retries.unaccepted();
  let detail: string;
  if (retried) out.line(`RETRIES: ${retried}`);
  if (!failure && overBudget.length > 0) {
    detail = `${runsPassed}/${total} runs passed but over the latency budget: ${overBudget.join('; ')}`;
    out.line(`❌ ${title}: LATENCY OVER BUDGET: ${overBudget.join('; ')}`);
  } else if (!failure && unaccepted.length > 0) {
    // Lower case: the seed's `grep "E2E.*RUN.*PASSED"` must not read this as a pass.
    detail = `${runsPassed}/${total} runs passed (${retried})`;
    out.line(`❌ ${title}: ${detail}; each fails ${title} unless the step sets allowRetries: "<reason>"`);
  } else if (!failure) {
    detail = `${runsPassed}/${total} runs passed${retried ? ` (${retried})` : ''}`;
    out.line(`✅ ${title}: ${runsPassed}/${total} RUNS PASSED${retried ? ` (${retried})` : ''}`);
  } else {
    const { label, failure: f } = failure;
    detail = `${label === 'teardown' ? `${runsPassed}/${total} runs passed but teardown` : label} failed at ${f.step}: ${f.reason}`;
    out.line(`❌ ${title}: ${label.toUpperCase()} FAILED at step ${f.step}: ${f.reason}`);
  }
  return {
    passed: !failure && overBudget.length === 0 && unaccepted.length === 0,
    runs: total,
    runsStarted: currentRun,
    runsPassed,
    ...(failure?.failure.exchange ? { exchange: failure.failure.exchange } : {}),
    detail,
    criteria: criteria.result(),
    latency: stats,
    executions,
    tagged,
    retries: retries.list(),
    acceptedRetries: (log) => retries.deviations(log),
  };
}

/** One execution as evidence: a failure by status alone is the status; any other failure is its reason. */
function executionOf(step: StepConfig, outcome: StepOutcome, where: string): ScenarioExecution {
  const execution: ScenarioExecution = { where, step: step.name, ...(step.criterion ? { criterion: step.criterion } : {}) };
  if (outcome.status === 'skipped') return execution;
  if (outcome.http) Object.assign(execution, { status: outcome.http.status, expected: outcome.http.expected });
  if (outcome.status === 'failed' && !(outcome.byStatus && outcome.http)) execution.failure = outcome.reason;
  return execution;
}

/** Template names of a scenario: env, cookies, base URL, run number and captures. */
class ScenarioScope implements TemplateScope {
  private readonly setupCaptures = new Map<string, unknown>();
  private runCaptures: Map<string, unknown> | undefined;
  private run: { index: number; total: number } | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly env: Record<string, string>,
    private readonly cookies: CookieSession,
  ) {}

  startRun(index: number, total: number): void {
    this.run = { index, total };
    this.runCaptures = new Map();
  }

  endRun(): void {
    this.run = undefined;
    this.runCaptures = undefined;
  }

  /** Captures of setup/teardown persist; those of a run last until its end. */
  capture(values: Record<string, unknown>): void {
    const target = this.runCaptures ?? this.setupCaptures;
    for (const [name, value] of Object.entries(values)) target.set(name, value);
  }

  get(name: string): unknown {
    if (name.startsWith('env.')) return Object.hasOwn(this.env, name.slice(4)) ? this.env[name.slice(4)] : undefined;
    if (name.startsWith('cookie.')) return this.cookies.get(name.slice(7));
    if (name === 'baseUrl') return this.baseUrl.replace(/\/+$/, '');
    if (name === 'run') return this.run?.index;
    if (name === 'runs') return this.run?.total;
    return this.runCaptures?.get(name) ?? this.setupCaptures.get(name);
  }

  explainMissing(name: string): string {
    if (name.startsWith('env.')) return `environment variable ${name.slice(4)} is not set`;
    if (name.startsWith('cookie.')) {
      const last = this.cookies.lastResponse;
      const after = last ? ` after ${last.method} ${last.path} (status ${last.status})` : ' (no request made yet)';
      return `no ${name.slice(7)} cookie${after}; cookies in the jar: ${this.cookies.names().join(', ') || 'none'}`;
    }
    if (name === 'run' || name === 'runs') return `${name} exists in each and finally steps only`;
    const known = [...this.setupCaptures.keys(), ...(this.runCaptures?.keys() ?? [])];
    return `not captured${this.run ? ` in run ${this.run.index}` : ''} (captured so far: ${known.join(', ') || 'none'})`;
  }
}

/** Verdict per criterion id: every execution of the steps tagged with it must pass. */
class CriteriaTracker {
  private readonly stats = new Map<string, { executions: number; failures: string[]; last: string }>();

  constructor(steps: StepConfig[]) {
    for (const step of steps) if (step.criterion) this.stats.set(step.criterion, { executions: 0, failures: [], last: '' });
  }

  record(step: StepConfig, outcome: StepOutcome, where: string): void {
    const stat = step.criterion === undefined ? undefined : this.stats.get(step.criterion);
    if (!stat || outcome.status === 'skipped') return;
    stat.executions++;
    if (outcome.status === 'failed') stat.failures.push(`${where} ${step.name}: ${outcome.reason}`);
    else stat.last = outcome.summary;
  }

  result(): Record<string, { passed: boolean; detail: string }> {
    const result: Record<string, { passed: boolean; detail: string }> = {};
    for (const [id, s] of this.stats) {
      if (s.executions === 0) result[id] = { passed: false, detail: 'not run' };
      else if (s.failures.length > 0) result[id] = { passed: false, detail: `${s.failures.length}/${s.executions} failed; first: ${s.failures[0]}` };
      else result[id] = { passed: true, detail: `${s.executions}/${s.executions} passed (${s.last})` };
    }
    return result;
  }
}
