import { join } from 'node:path';
import { formatSelftest, judgeSelftest, writeSelftest, type LiveInput } from '../selftest/selftest.js';
import { livePlan } from '../selftest/selftest-live-plan.js';
import { LiveSelftestHook, credentialListHook } from '../selftest/live-hook.js';
import type { GateRunOutcome } from '../engine/gate-runner.js';
import type { CredentialRequest } from '../model/credential-probe.js';
import type { StackDriver } from '../model/stack.js';
import type { CliOptions } from './cli-options.js';
import { runCommand, type AfterRun } from './run-command.js';

/** The live run's log dir, inside the healthy run's. */
export const LIVE_DIR = 'selftest-live';

/**
 * `release-gate selftest`: runs the gate once (a normal run, its own log dir); when that healthy
 * run did not pass, says so on the report's first line and stops there, with the gate's exit code.
 * Otherwise re-judges its evidence with one injected defect per check, then makes one extra,
 * labelled run on the same stack (`<log dir>/selftest-live/`, build included, with the cache)
 * that kills a service during the stability watch and repeats each authenticated request once
 * without its credentials. Exit 0 only when every criterion was caught.
 */
export async function selftestCommand(opts: CliOptions, version: string): Promise<number> {
  // The healthy run lists each request it sent with credentials: the live run must resend each.
  const requests: CredentialRequest[] = [];
  const after: AfterRun = async (outcome, run, redactor, again) => {
    let live: LiveInput | undefined;
    // A gate that did not pass has nothing to break: the report says why on its first line.
    if (outcome.result.verdict === 'passed') {
      const logDir = join(run.logDir, LIVE_DIR);
      const plan = livePlan(run.config, run.selected);
      process.stdout.write(`\nSELFTEST LIVE RUN (same stack, built again with the cache): a service is killed during the stability watch; authenticated requests are repeated without their credentials\n`);
      const hook = new LiveSelftestHook();
      const second = await again({ logDir, selected: plan.selected, config: plan.config, hooks: [hook] });
      if (second.outcome.exitCode > 1 && second.outcome.result.verdict === 'interrupted') return second.outcome.exitCode;
      live = { logDir, result: second.outcome.result, live: hook.outcome, leftovers: await leftovers(second.driver), requests };
    }
    const report = judgeSelftest({ config: run.config, result: outcome.result, evidence: outcome.evidence, partialSelection: Boolean(run.selected), ...(live ? { live } : {}) });
    const text = formatSelftest(report);
    process.stdout.write(`\n${redactor.redact(text)}`);
    writeSelftest(run.logDir, report, redactor, run.config.reporters);
    // selftest.json, selftest.log, selftest-live/ and the new report.html: covered by the manifest too.
    await outcome.reseal();
    process.stdout.write(`selftest: ${run.logDir}/selftest.json\n`);
    // The healthy run failed: the gate's own exit code (1 failed, 3 environment, 130 interrupted).
    if (report.stopped !== undefined) return outcome.exitCode === 0 ? 1 : outcome.exitCode;
    // Exit 3 (environment) and 130 (interrupted) say more than "vacuous".
    if (outcome.exitCode > 1) return outcome.exitCode;
    return report.passed ? 0 : 1;
  };
  return runCommand(opts, version, after, { hooks: [credentialListHook((request) => requests.push(request))] });
}

/** What the driver still sees running once the live run tore down: nothing may be. */
async function leftovers(driver: StackDriver): Promise<string[]> {
  try {
    return (await driver.services()).filter((s) => s.state === 'running' || s.state === 'restarting' || s.state === 'starting').map((s) => `${s.name} (${s.state})`);
  } catch (err) {
    return [`cannot ask the driver: ${(err as Error).message}`];
  }
}

export type { GateRunOutcome };
