import { builtinJudges, type BootInput } from '../../checks/judges.js';
import { clone, type Criterion } from '../evidence-mutations.js';

/** Boot: the first long-running service exited, then restarted once before the check. */
export const bootCriterion: Criterion<'boot'> = {
  judge: builtinJudges.boot,
  mutations: (input: BootInput) => {
    const first = input.services.find((s) => !s.oneShot) ?? input.services[0];
    if (!first) return { none: 'no service was recorded' };
    const exited = clone(input);
    Object.assign(exited.services.find((s) => s.name === first.name) as object, { state: 'exited', exitCode: 1 });
    const restarted = clone(input);
    Object.assign(restarted.services.find((s) => s.name === first.name) as object, { restarts: 1 });
    return {
      mutations: [
        { label: `service ${first.name} not ready (exited 1)`, input: exited },
        { label: `service ${first.name} restarted once before the check`, input: restarted },
      ],
    };
  },
};
