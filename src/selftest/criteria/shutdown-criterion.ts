import { builtinJudges, type ShutdownInput } from '../../checks/judges.js';
import { judgedStops } from '../../checks/shutdown-verdict.js';
import { clone, type Criterion } from '../evidence-mutations.js';

/**
 * Shutdown: the first judged service ignores its stop signal (SIGKILL after its grace, exit 137),
 * then exits 1 on it instead of stopping cleanly.
 */
export const shutdownCriterion: Criterion<'shutdown'> = {
  judge: builtinJudges.shutdown,
  mutations: (input: ShutdownInput) => {
    const first = judgedStops(input.stops)[0];
    if (!first) return { none: 'no long-running service was running at the stop' };
    const index = input.stops.indexOf(first);
    const killed = clone(input);
    Object.assign(killed.stops[index] as object, { killed: true, exitCode: 137, stopMs: first.graceMs + 20 });
    const failed = clone(input);
    // A clean stop exits 0 or 128 + the signal: 1 is an error exit whatever the signal.
    Object.assign(failed.stops[index] as object, { exitCode: 1 });
    return {
      mutations: [
        { label: `service ${first.service} ignored ${first.signal}: killed after its grace (exit 137)`, input: killed },
        { label: `service ${first.service} exited 1 on ${first.signal}`, input: failed },
      ],
    };
  },
};
