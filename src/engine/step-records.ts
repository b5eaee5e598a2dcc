import type { PlannedStep } from '../config/step-plan.js';
import type { PhaseResult, StepResult, StepStatus } from '../model/run-result.js';

/** The record of a step that did not run (not selected, or the gate stopped before it). */
export function notRun(p: PlannedStep, detail: string): StepResult {
  return {
    id: p.id,
    phase: p.phase.id,
    log: `${p.logName}.log`,
    title: p.title,
    status: 'not-run',
    detail,
    ...(p.step.criterion ? { criterion: p.step.criterion } : {}),
  };
}

/** A phase's status is its worst step's; its span covers the steps that ran. */
export function phaseResult(phase: PlannedStep['phase'], steps: StepResult[]): PhaseResult {
  const ran = steps.filter((s) => s.startedAt !== undefined);
  const statuses = steps.map((s) => s.status);
  const worst: StepStatus =
    statuses.length > 0 && statuses.every((s) => s === 'not-applicable')
      ? 'not-applicable'
      : ran.length === 0
      ? 'not-run'
      : (['interrupted', 'timedout', 'failed'] as const).find((s) => statuses.includes(s)) ?? 'passed';
  if (ran.length === 0) return { id: phase.id, title: phase.title, status: worst };
  const start = Math.min(...ran.map((r) => Date.parse(r.startedAt as string)));
  const end = Math.max(...ran.map((r) => Date.parse(r.endedAt as string)));
  return { id: phase.id, title: phase.title, status: worst, startedAt: new Date(start).toISOString(), endedAt: new Date(end).toISOString(), durationMs: end - start };
}
