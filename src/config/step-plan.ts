import type { StepKind } from '../steps/step-kind.js';
import { stepKindOf, type Registries } from './registries.js';
import type { GateConfig, PhaseConfig, StepConfig } from './schema.js';

/** One step of the resolved config, with everything the runner, `plan` and --only need. */
export interface PlannedStep {
  phase: PhaseConfig;
  step: StepConfig;
  kind: StepKind;
  /** `id:`, else the log name as written (`06_stability_{window}s`). */
  id: string;
  /** The log name with placeholders filled (`06_stability_180s`): what a user sees. */
  logName: string;
  title: string;
}

export function stepId(step: Pick<StepConfig, 'id' | 'log'>): string {
  return step.id ?? step.log;
}

/** Every step of the config in run order. */
export function planSteps(config: GateConfig, registries: Registries): PlannedStep[] {
  return config.phases.flatMap((phase) =>
    phase.steps.map((step) => {
      const kind = stepKindOf(registries, step.do);
      return {
        phase,
        step,
        kind,
        id: stepId(step),
        logName: kind.logName ? kind.logName(step as never) : step.log,
        title: step.title ?? kind.title(step as never),
      };
    }),
  );
}
