import { builtinRegistries, stepKindOf } from '../config/registries.js';
import { planSteps } from '../config/step-plan.js';
import type { GateConfig } from '../config/schema.js';

/** What selftest's live run runs: the config and the step ids it selects. */
export interface LivePlan {
  config: GateConfig;
  selected: Set<string>;
}

/**
 * The live run boots the way the healthy one did: the same selected steps, build included (a
 * clean step may remove what the build made, and a service may need it). Its builds use the
 * cache: the healthy run has just built the same sources without it.
 */
export function livePlan(config: GateConfig, selected: ReadonlySet<string> | undefined): LivePlan {
  const phases = config.phases.map((phase) => ({
    ...phase,
    steps: phase.steps.map((step) => {
      const cacheSwitch = stepKindOf(builtinRegistries, step.do).cacheSwitch;
      return cacheSwitch !== undefined && step[cacheSwitch] === true ? { ...step, [cacheSwitch]: false } : step;
    }),
  }));
  const live = { ...config, phases };
  const ids = planSteps(live, builtinRegistries)
    .filter((p) => !selected || selected.has(p.id))
    .map((p) => p.id);
  return { config: live, selected: new Set(ids) };
}
