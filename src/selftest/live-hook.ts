import { errorMessage } from '../common/errors.js';
import { waitFor } from '../common/wait.js';
import type { CredentialProbe, CredentialRequestSink } from '../model/credential-probe.js';
import { KILL_NOT_REACHED, type LiveOutcome } from '../model/live-outcome.js';
import type { HookRun, HookStep, HookTask, RunHooks, StepContextExtras } from '../model/run-hooks.js';
import type { StepResult } from '../model/run-result.js';

/**
 * Where the live kill goes: after the stability step has started watching and after the last
 * step that may repeat a request without credentials (a token wait, a scenario), so those run on
 * a healthy stack. Returns the step's index, or why there is no kill.
 */
export function killPoint(steps: readonly HookStep[]): number | string {
  const main = steps.filter((s) => !s.always && !s.summary && s.selected && s.notApplicable === null);
  const stability = main.find((s) => s.watchesStability);
  if (stability === undefined) return 'no stability step runs: nothing watches for a crash';
  const probing = main.filter((s) => s.probesCredentials).map((s) => s.index);
  return Math.max(stability.index, ...probing);
}

/**
 * Selftest's live mutations, plugged into a gate run: each step repeats its authenticated
 * requests once without their credentials, and once the stability watch runs (and the last such
 * step passed) a service is killed. `outcome` holds what they did, for the selftest report.
 */
export class LiveSelftestHook implements RunHooks {
  readonly outcome: LiveOutcome = { probes: [], kill: { planned: false, why: 'the live run recorded nothing' } };
  private killAfter: number | null = null;

  onPlan(steps: readonly HookStep[]): void {
    const plan = killPoint(steps);
    this.killAfter = typeof plan === 'number' ? plan : null;
    this.outcome.kill = typeof plan === 'number' ? { planned: true, error: KILL_NOT_REACHED } : { planned: false, why: plan };
  }

  stepContext(): StepContextExtras {
    return { credentialProbes: (probe: CredentialProbe) => this.outcome.probes.push(probe) };
  }

  afterStep(step: HookStep, result: StepResult, run: HookRun): HookTask[] {
    if (step.index !== this.killAfter || result.status !== 'passed') return [];
    return [{ title: 'selftest: kill a service', run: (signal) => this.killDuringWatch(step, run, signal) }];
  }

  /**
   * SIGKILL of a service's main process while the stability watch runs, through the driver
   * (`killService`). Waits until the watch has seen it, so the gate stops at the next step as it
   * would on a real crash; the Stability verdict must then name the service.
   */
  private async killDuringWatch(after: HookStep, run: HookRun, signal: AbortSignal): Promise<void> {
    const { driver, clock } = run;
    if (!driver.killService) {
      this.outcome.kill = { planned: true, notApplicable: `the ${driver.name} driver cannot kill a service (it does not own the processes)` };
      return;
    }
    try {
      const watch = await run.watch();
      const victim = (await driver.services()).find((s) => s.state === 'running' && !s.oneShot);
      if (!victim) {
        this.outcome.kill = { planned: true, error: 'no running service to kill' };
        return;
      }
      const at = new Date(clock.now()).toISOString();
      run.say(`selftest (live): killing service ${victim.name} (SIGKILL) during the stability watch, after ${after.logName}`);
      await driver.killService(victim.name);
      const seen = await waitFor(async () => ({ done: watch.problemsSoFar().some((p) => p.service === victim.name), value: null }), {
        timeoutMs: 30_000,
        intervalMs: 500,
        clock,
        signal,
        wake: (wake) => watch.onEvent(wake),
      });
      this.outcome.kill = { planned: true, service: victim.name, at, afterStep: `${after.logName}.log`, seen: seen.ok };
    } catch (err) {
      if (signal.aborted) throw err;
      this.outcome.kill = { planned: true, error: errorMessage(err) };
    }
  }
}

/** Selftest's healthy run: each request sent with credentials is listed (not resent), so the live run must resend each. */
export function credentialListHook(sink: CredentialRequestSink): RunHooks {
  return { stepContext: () => ({ credentialRequests: sink }) };
}
