import type { StackWatch } from '../checks/stack-watch.js';
import { systemClock, type Clock } from '../common/clock.js';
import { builtinRegistries, type Registries } from '../config/registries.js';
import { planSteps, type PlannedStep } from '../config/step-plan.js';
import { bindStack } from '../drivers/bound-stack.js';
import type { StepEvidence } from '../evidence/evidence-file.js';
import type { HookStep, RunHooks } from '../model/run-hooks.js';
import type { RunTarget, StepResult } from '../model/run-result.js';
import { ReporterMultiplexer } from '../reporters/reporter-multiplexer.js';
import type { PendingOutcome } from '../steps/step-kind.js';
import { Console } from './console.js';
import type { ExtraVerdicts } from '../config/criteria.js';
import type { SetupErrors } from './gate-exit-code.js';
import type { GateRunOptions } from './gate-run-options.js';
import type { StepLog } from './step-log.js';
import type { TaskStatus } from './task-loop.js';
import { TeardownStack } from './teardown-stack.js';

/** One planned step and what became of it. */
export interface StepRecord {
  index: number;
  planned: PlannedStep;
  /** Picked by --only/--skip/--from (all are without a selection). */
  selected: boolean;
  /** Its result once recorded; absent while it has not run (reported "not run" then). */
  result?: StepResult;
  /** A verdict that waits for the end of the run (the stability watch): its log stays open. */
  pending?: { outcome: PendingOutcome; log: StepLog; started: number };
  /** Failed with no instability to blame when it ended: judged again once the run's events are in. */
  unexplained?: boolean;
  /** The loop gave up on it (it ignored its stop past the grace): what it says later comes too late. */
  abandoned?: boolean;
}

/**
 * The run as plain data: every stage reads and writes it, reporters read it. The options are
 * the run's inputs; everything else is what the run has learnt so far.
 */
export interface RunState {
  readonly opts: GateRunOptions;
  readonly clock: Clock;
  readonly registries: Registries;
  /** The live output: every subscriber (the console first) behind one multiplexer. */
  readonly live: ReporterMultiplexer;
  readonly hooks: readonly RunHooks[];
  /** One record per planned step, in run order. */
  readonly steps: StepRecord[];
  readonly startedAt: number;
  readonly deadlineAt: number | null;
  readonly target: RunTarget;
  /** Why the driver cannot start or stop this stack (an external target), or null. */
  readonly lifecycleNotApplicable: string | null;
  /** Run-wide counters reported in the summary (`tests.passed`). */
  readonly counts: Record<string, number>;
  /** Verdicts steps gave for other criteria (a scenario's annotation). */
  readonly extraVerdicts: ExtraVerdicts;
  readonly teardowns: TeardownStack;
  /** What each step's verdict was judged from, in the order the verdicts came (evidence.json). */
  readonly evidence: StepEvidence[];
  /** Deviations the steps accepted (an allowed retry), beside the run's own (--skip, a short window). */
  readonly stepDeviations: string[];
  readonly setup: SetupErrors;
  /** The whole-run stack watch, once started. */
  watch: Promise<StackWatch> | null;
  /** Where the gate stopped (the first stop wins) and when, since the run started. */
  stoppedAt: string | undefined;
  stoppedAfterMs: number;
  verdictOverride: 'interrupted' | 'timedout' | undefined;
  preflightDone: boolean;
  /** The preflight failed: the stack cannot be reached, so log capture and teardown would only repeat the error. */
  stackUnavailable: boolean;
  teardownFailure: string | undefined;
  /** The step running now: a step that ignores its stop past the loop's grace is recorded as such. */
  running: { index: number; started: number } | null;
}

export function createRunState(opts: GateRunOptions): RunState {
  const clock = opts.clock ?? systemClock;
  const registries = opts.registries ?? builtinRegistries;
  const startedAt = clock.now();
  const stack = bindStack(registries, opts.config.stack);
  const steps = planSteps(opts.config, registries).map((planned, index) => ({ index, planned, selected: !opts.selected || opts.selected.has(planned.id) }));
  return {
    opts,
    clock,
    registries,
    live: new ReporterMultiplexer([opts.console ?? new Console(), ...(opts.reporters ?? [])], opts.liveErrors),
    hooks: opts.hooks ?? [],
    steps,
    startedAt,
    deadlineAt: opts.deadlineMs ? startedAt + opts.deadlineMs : null,
    target: { driver: stack.name, description: stack.describe(), external: stack.external },
    lifecycleNotApplicable: stack.notApplicable('lifecycle'),
    counts: {},
    extraVerdicts: new Map(),
    teardowns: new TeardownStack(),
    evidence: [],
    stepDeviations: [],
    setup: { configError: false, environmentError: false },
    watch: null,
    stoppedAt: undefined,
    stoppedAfterMs: 0,
    verdictOverride: undefined,
    preflightDone: false,
    stackUnavailable: false,
    teardownFailure: undefined,
    running: null,
  };
}

/** The first stop wins: a failed step, an interrupt, the deadline; unreached criteria read "not judged" from it. */
export function stopAt(state: RunState, where: string): void {
  if (state.stoppedAt !== undefined) return;
  state.stoppedAt = where;
  state.stoppedAfterMs = state.clock.now() - state.startedAt;
}

/** An interrupt or the deadline ended a loop (or a wait): the verdict says so, and the run stops there. */
export function noteLoopEnd(state: RunState, status: TaskStatus): void {
  if (status === 'interrupted' || status === 'timedout') {
    state.verdictOverride ??= status;
    stopAt(state, status === 'interrupted' ? 'interrupted' : 'deadline');
  }
}

export function pastDeadline(state: RunState): boolean {
  return state.deadlineAt !== null && state.clock.now() >= state.deadlineAt;
}

/** A step as the run's hooks see it. */
export function hookStep(record: StepRecord): HookStep {
  const { planned } = record;
  return {
    index: record.index,
    id: planned.id,
    kind: planned.kind.name,
    watchesStability: planned.kind.watchesStability === true,
    probesCredentials: planned.kind.probesCredentials === true,
    logName: planned.logName,
    always: planned.phase.always === true,
    summary: planned.kind.summary === true,
    selected: record.selected,
    notApplicable: planned.notApplicable,
  };
}
