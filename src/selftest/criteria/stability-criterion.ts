import { builtinJudges } from '../../checks/judges.js';
import type { StabilityInput } from '../../checks/stability-verdict.js';
import { clone, type Criterion } from '../evidence-mutations.js';

/** Stability: a restart, a restart counter up with no event, a kill and a pause of one service during the window. */
export const stabilityCriterion: Criterion<'stability'> = {
  judge: builtinJudges.stability,
  mutations: (input: StabilityInput) => {
    const service = input.services.find((s) => !s.oneShot && !input.oneShot.includes(s.name)) ?? input.services[0];
    if (!service) return { none: 'no service was recorded' };
    const at = new Date(Date.parse(input.at) - 1000).toISOString();
    const withEvent = clone(input);
    withEvent.events.push({ at, service: service.name, kind: 'restart', detail: 'injected by selftest' });
    withEvent.services = withEvent.services.map((s) => (s.name === service.name ? { ...s, restartCount: s.restartCount + 1 } : s));
    const counterOnly = clone(input);
    counterOnly.services = counterOnly.services.map((s) => (s.name === service.name ? { ...s, restartCount: s.restartCount + 1 } : s));
    const died = clone(input);
    died.events.push({ at, service: service.name, kind: 'die', exitCode: 137, detail: 'injected by selftest' });
    const paused = clone(input);
    paused.events.push({ at: new Date(Date.parse(input.at) - 3000).toISOString(), service: service.name, kind: 'pause', detail: 'injected by selftest' });
    paused.events.push({ at, service: service.name, kind: 'unpause', detail: 'injected by selftest' });
    return {
      mutations: [
        { label: `a restart of ${service.name} in the timeline`, input: withEvent },
        { label: `${service.name}'s restart counter up by 1 with no event (a missed event)`, input: counterOnly },
        { label: `${service.name} killed (exit 137) in the timeline`, input: died },
        { label: `${service.name} paused for 2s (docker pause) in the timeline`, input: paused },
      ],
    };
  },
};
