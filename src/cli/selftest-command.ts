import { join } from 'node:path';
import { planSteps } from '../config/step-plan.js';
import { builtinRegistries } from '../config/registries.js';
import { formatSelftest, judgeSelftest, writeSelftest, type LiveInput } from '../engine/selftest.js';
import type { GateRunOutcome } from '../engine/gate-runner.js';
import type { StackDriver } from '../model/stack.js';
import type { CliOptions } from './cli.js';
import { runCommand } from './run-command.js';

/** The live run's log dir, inside the healthy run's. */
export const LIVE_DIR = 'selftest-live';

/**
 * `release-gate selftest`: runs the gate once (a normal run, its own log dir), then re-judges its
 * evidence with one injected defect per check; then one extra, labelled run on the same stack
 * (`<log dir>/selftest-live/`, no build) kills a service during the stability watch and repeats
 * each authenticated request once without its credentials. Exit 0 only when every criterion was caught.
 */
export async function selftestCommand(opts: CliOptions, version: string): Promise<number> {
  return runCommand(opts, version, async (outcome, run, redactor, again) => {
    let live: LiveInput | undefined;
    // A gate that did not pass has nothing to break live: the report says to fix it first.
    if (outcome.result.verdict === 'passed') {
      const logDir = join(run.logDir, LIVE_DIR);
      // The images or build outputs of the healthy run are reused: the live run proves runtime guards.
      const planned = planSteps(run.config, builtinRegistries).filter((p) => p.kind.name !== 'build' && (!run.selected || run.selected.has(p.id)));
      process.stdout.write(`\nSELFTEST LIVE RUN (same stack, no build): a service is killed during the stability watch; authenticated requests are repeated without their credentials\n`);
      const second = await again({ logDir, selected: new Set(planned.map((p) => p.id)), live: true });
      if (second.outcome.exitCode > 1 && second.outcome.result.verdict === 'interrupted') return second.outcome.exitCode;
      live = { logDir, result: second.outcome.result, live: second.outcome.live ?? { probes: [], kill: { planned: false, why: 'the live run recorded nothing' } }, leftovers: await leftovers(second.driver) };
    }
    const report = judgeSelftest({ config: run.config, result: outcome.result, evidence: outcome.evidence, partialSelection: Boolean(run.selected), ...(live ? { live } : {}) });
    const text = formatSelftest(report);
    process.stdout.write(`\n${redactor.redact(text)}`);
    writeSelftest(run.logDir, report, redactor, run.config.reporters);
    // selftest.json, selftest.log, selftest-live/ and the new report.html: covered by the manifest too.
    await outcome.reseal();
    process.stdout.write(`selftest: ${run.logDir}/selftest.json\n`);
    // Exit 3 (environment) and 130 (interrupted) say more than "vacuous".
    if (outcome.exitCode > 1) return outcome.exitCode;
    return report.passed ? 0 : 1;
  });
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
