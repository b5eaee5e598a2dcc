import { bindStep, type BoundStep } from '../steps/bound-step.js';
import type { StepKind } from '../steps/step-kind.js';
import { bindStack } from '../drivers/bound-stack.js';
import { stepKindOf, type Registries } from './registries.js';
import type { GateConfig, PhaseConfig, StepConfig } from './schema.js';

/** One step of the resolved config, with everything the runner, `plan` and --only need. */
export interface PlannedStep {
  phase: PhaseConfig;
  step: StepConfig;
  /** The kind's traits; its functions are called through `bound`, typed against the kind's own step. */
  kind: Pick<StepKind, 'name' | 'timeout' | 'summary' | 'watchesStability' | 'probesCredentials' | 'bootsStack' | 'disturbsStack' | 'stopsStack'>;
  /** The step bound to its kind: `bound.run(ctx)`, `bound.judgeUnreached?.(ctx)`. */
  bound: BoundStep;
  /** `id:`, else the log name as written (`06_stability_{window}s`). */
  id: string;
  /** The log name with placeholders filled (`06_stability_180s`): what a user sees. */
  logName: string;
  title: string;
  /** Why the stack's driver cannot run this step (`lifecycle` of an external target), or null: recorded "not applicable", never run. */
  notApplicable: string | null;
}

export function stepId(step: Pick<StepConfig, 'id' | 'log'>): string {
  return step.id ?? step.log;
}

/** Every step of the config in run order. */
export function planSteps(config: GateConfig, registries: Registries): PlannedStep[] {
  const stack = bindStack(registries, config.stack);
  return config.phases.flatMap((phase) =>
    phase.steps.map((step) => {
      const kind = stepKindOf(registries, step.do);
      const bound = bindStep(kind, step);
      const reasons = [...(bound.notApplicable ? [bound.notApplicable] : []), ...bound.needs.flatMap((need) => stack.notApplicable(need) ?? [])];
      return {
        phase,
        step,
        kind,
        bound,
        id: stepId(step),
        logName: bound.logName,
        title: bound.title,
        notApplicable: reasons.length > 0 ? [...new Set(reasons)].join('; ') : null,
      };
    }),
  );
}
