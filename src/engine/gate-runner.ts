import { mkdirSync } from 'node:fs';
import { collectProvenance, type ProvenanceAnswer } from '../evidence/manifest-writer.js';
import type { RunStart } from '../reporters/live-reporter.js';
import { blameLate } from './crash-blame.js';
import { EVIDENCE_LOST_EXIT, EvidenceCheck, expectedEvidence } from './evidence-check.js';
import { gateExitCode } from './gate-exit-code.js';
import type { GateRunOptions, GateRunOutcome } from './gate-run-options.js';
import { finishPending, recordAbandoned, waitOutPending } from './pending-stage.js';
import { createAlwaysTasks, createMainTasks } from './phase-tasks.js';
import { createRunState, hookStep, noteLoopEnd, stopAt, type RunState } from './run-state.js';
import { buildResult } from './step-result.js';
import { sealer, summarize, summaryTarget, writeEvidenceFile } from './summary-stage.js';
import { runTasks } from './task-loop.js';
import { runTeardowns } from './teardown-stage.js';
import { showTroubledServices } from './troubled-services.js';
import { judgeUnreached } from './unreached-stage.js';
import { verdictBanner } from './verdict-banner.js';

export type { GateRunOptions, GateRunOutcome } from './gate-run-options.js';

/**
 * Runs a gate: stages over one plain run state (run-state.ts), in order: the main phases through
 * the task loop (fail-fast), the minimum of any pending watch, the `always` phases (log capture),
 * the pending verdicts, the unreached judgements, the summary, the teardowns (LIFO), the summary
 * again (the teardown may change the verdict), the manifest. Never throws for a gate failure: the
 * outcome carries the verdict and the exit code. Live output goes to the subscribers (the console
 * first) through one multiplexer; the hooks (selftest's live mutations) plug in through RunHooks.
 */
export async function runGate(opts: GateRunOptions): Promise<GateRunOutcome> {
  const state = createRunState(opts);
  for (const hook of state.hooks) hook.onPlan?.(state.steps.map(hookStep));
  mkdirSync(opts.logDir, { recursive: true });
  const evidenceCheck = EvidenceCheck.start(opts.logDir);
  state.teardowns.push('release the driver', () => opts.driver.close());
  state.live.onRunStart(runStart(state));

  const loop = await runTasks(createMainTasks(state), { interrupt: opts.interrupt, deadlineAt: state.deadlineAt, clock: state.clock, failFast: true });
  noteLoopEnd(state, loop.status);
  // Asked once the main phases are done (the stack as it ran) and answered while the window
  // is waited out; awaited before the always phases, which may take the stack down.
  const asked: Promise<ProvenanceAnswer> = state.stackUnavailable ? Promise.resolve({ error: 'the environment check failed: nothing ran' }) : collectProvenance(opts.driver);
  if (state.stoppedAt === undefined) await waitOutPending(state);
  recordAbandoned(state);
  if (state.stoppedAt !== undefined && !state.stackUnavailable && !opts.verbose) await showTroubledServices(state);
  const provenance = await asked;
  if (!state.stackUnavailable) {
    const force = opts.forceStop ?? new AbortController().signal;
    await runTasks(createAlwaysTasks(state, force), { interrupt: force, clock: state.clock, failFast: false });
  }
  await finishPending(state);
  await judgeUnreached(state);
  await blameLate(state);
  if (opts.interrupt.aborted && !state.verdictOverride) noteLoopEnd(state, 'interrupted');

  writeEvidenceFile(state);
  const summary = summaryTarget(state);
  await summarize(state, summary, buildResult(state));
  await runTeardowns(state);
  if (opts.interrupt.aborted && !state.verdictOverride) {
    state.verdictOverride = 'interrupted';
    stopAt(state, 'teardown (interrupted)');
  }
  const result = buildResult(state);
  await summarize(state, summary, result);
  const seal = sealer(state, result, provenance);
  await seal();
  return finish(state, result, evidenceCheck.lost(expectedEvidence(summary, result)), seal);
}

/** The run's last word: the verdict on the live output and the exit code. Without its evidence on disk a run has no verdict (exit 3). */
function finish(state: RunState, result: GateRunOutcome['result'], evidenceLost: string | null, reseal: () => Promise<void>): GateRunOutcome {
  const { opts } = state;
  state.live.onRunEnd({ result, evidenceLost, verdict: verdictBanner(result, opts.redactor, evidenceLost), logDir: opts.logDir });
  const signal = opts.interrupt.aborted ? signalName(opts.interrupt.reason) : undefined;
  const exitCode = evidenceLost === null ? gateExitCode(result, state.setup, signal) : EVIDENCE_LOST_EXIT;
  return { result, exitCode, ...(evidenceLost === null ? {} : { evidenceLost }), evidence: state.evidence, reseal };
}

function runStart(state: RunState): RunStart {
  const { opts } = state;
  return {
    version: opts.version,
    name: opts.config.name,
    driver: opts.driver.name,
    logDir: opts.logDir,
    notes: opts.notes ?? [],
    target: state.target,
    switches: Object.entries(opts.switches ?? {}).map(([name, value]) => ({ name, value, description: opts.config.switches[name]?.description ?? '' })),
  };
}

function signalName(reason: unknown): NodeJS.Signals | undefined {
  const text = reason instanceof Error ? reason.message : String(reason);
  return /^SIG[A-Z]+$/.test(text) ? (text as NodeJS.Signals) : undefined;
}
