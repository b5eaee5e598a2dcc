import type { PlannedStep } from '../config/step-plan.js';
import type { RunResult, StepResult, StepStatus } from '../model/run-result.js';
import type { StepOutcome } from '../steps/step-kind.js';
import { evaluateCriteria } from '../config/criteria.js';
import { runEndCriterion } from '../config/not-judged.js';
import type { RunState, StepRecord } from './run-state.js';
import { notRun, phaseResult } from './step-records.js';

/** A step's record from its outcome: what the reports show of it. */
export function stepResult(planned: PlannedStep, status: StepStatus, outcome: StepOutcome, started: number, ended: number): StepResult {
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
    ...(outcome.images ? { images: outcome.images } : {}),
    ...(outcome.resources ? { resources: outcome.resources } : {}),
    ...(outcome.retries ? { retries: outcome.retries } : {}),
    ...(outcome.http && status !== 'passed' ? { http: outcome.http } : {}),
    ...(outcome.answersBefore ? { answersBefore: outcome.answersBefore } : {}),
    ...(outcome.stops ? { stops: outcome.stops } : {}),
    ...(outcome.notJudged ? { notJudged: true } : {}),
  };
}

/** Why a step has no result: not selected, the environment check failed, the gate stopped first. */
export function notRunReason(state: RunState, record: StepRecord): string {
  if (!record.selected) return 'not selected';
  if (state.stackUnavailable) return 'not run: the environment check failed';
  if (state.stoppedAt) return `not run: the gate stopped at ${state.stoppedAt}`;
  return 'not run: interrupted';
}

/** The run's result as it stands: built again after the teardown, which may change the verdict. */
export function buildResult(state: RunState): RunResult {
  const { opts } = state;
  // Summary steps are the report itself, not a step of the run.
  const ran = state.steps.flatMap((r) => (r.planned.kind.summary ? [] : [{ p: r.planned, result: r.result ?? notRun(r.planned, notRunReason(state, r)) }]));
  const steps = ran.map((r) => r.result);
  const stop = state.stoppedAt === undefined ? undefined : { at: state.stoppedAt, afterMs: state.stoppedAfterMs };
  const criteria = evaluateCriteria(opts.config, steps, state.extraVerdicts, stop, Boolean(opts.selected));
  if (state.teardownFailure) criteria.push({ id: 'teardown', title: 'Teardown', passed: false, detail: state.teardownFailure, logs: ['teardown.log'] });
  if (criteria.length > 0 && criteria.every((c) => c.notApplicable || c.notSelected) && criteria.some((c) => c.notApplicable)) {
    // Nothing this target allows was judged: a gate of only "n/a" lines proves nothing.
    criteria.push({ id: 'applicable', title: 'Evidence', passed: false, detail: `no criterion is applicable to this target (${state.target.description}): nothing was judged`, logs: [] });
  }
  const failed = steps.some((r) => r.status === 'failed' || r.status === 'timedout') || criteria.some((c) => !c.passed && !c.notSelected && !c.notApplicable && !c.notJudged);
  const verdict = state.verdictOverride ?? (failed ? 'failed' : 'passed');
  const runEnd = runEndCriterion(verdict, criteria, stop);
  if (runEnd) criteria.push(runEnd);
  const endedAt = state.clock.now();
  const deviations = opts.deviations ?? [];
  return {
    tool: { name: 'release-gate', version: opts.version },
    config: opts.configFile,
    logDir: opts.logDir,
    verdict,
    target: state.target,
    ...(state.stoppedAt ? { stoppedAt: state.stoppedAt } : {}),
    ...(opts.switches && Object.keys(opts.switches).length > 0 ? { switches: opts.switches } : {}),
    complete: deviations.length + state.stepDeviations.length === 0,
    deviations: [...deviations, ...state.stepDeviations],
    startedAt: new Date(state.startedAt).toISOString(),
    endedAt: new Date(endedAt).toISOString(),
    durationMs: endedAt - state.startedAt,
    phases: opts.config.phases.map((phase) => phaseResult(phase, ran.filter((r) => r.p.phase === phase).map((r) => r.result))),
    steps,
    criteria,
    counts: { ...state.counts },
    artifacts: [],
  };
}
