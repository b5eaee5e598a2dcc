import { waitForHttp } from '../checks/http-wait.js';
import { judge } from '../checks/judges.js';
import { expectedAfter, UPGRADE_STAGES, type UpgradeStage, type UpgradeStageName } from '../checks/upgrade-verdict.js';
import { compareProbeOutputs } from '../checks/idempotence-diff.js';
import { errorMessage } from '../common/errors.js';
import { formatDuration } from '../common/duration.js';
import { toArgv } from '../common/process-group.js';
import type { BuiltRelease, StackRelease } from '../model/stack.js';
import { runScenario } from '../scenario/scenario-runner.js';
import { scenarioContext } from './scenario-context.js';
import type { StepContext, StepOutcome } from './step-kind.js';
import type { UpgradeStep } from './upgrade-schema.js';
import { awaitPreviousBuild, startPreviousBuild, type PreviousBuild } from './upgrade-previous-build.js';

type StageResult = { exitCode: number; detail?: string | undefined };

/** The drill's state: its sub-steps as recorded (the judge's input) and the fingerprints. */
class Drill {
  readonly stages: UpgradeStage[] = [];
  readonly probes: { before: string | null; after: string | null; again: string | null } = { before: null, after: null, again: null };
  readonly durations: Partial<Record<UpgradeStageName, number>> = {};

  constructor(
    private readonly step: UpgradeStep,
    private readonly ctx: StepContext,
  ) {}

  /** Runs one sub-step under its header; false once it failed (the drill stops there). */
  async stage(name: UpgradeStageName, title: string, run: () => Promise<StageResult>): Promise<boolean> {
    const { ctx } = this;
    ctx.log.line(`=== [${UPGRADE_STAGES.indexOf(name) + 1}/${UPGRADE_STAGES.length}] ${name}: ${title} ===`);
    const started = ctx.clock.now();
    let result: StageResult;
    try {
      result = await run();
    } catch (err) {
      // An interrupt or the step's timeout is the run's, not the release's: let the runner say so.
      if (ctx.signal.aborted) throw err;
      result = { exitCode: 1, detail: errorMessage(err) };
    }
    this.durations[name] = ctx.clock.now() - started;
    this.stages.push({ name, exitCode: result.exitCode, ...(result.detail ? { detail: result.detail } : {}) });
    ctx.log.line(`${result.exitCode === 0 ? '✓' : '✗'} ${name} (${formatDuration(this.durations[name])})${result.exitCode === 0 ? '' : `: ${result.detail ?? `exit code ${result.exitCode}`}`}`);
    return result.exitCode === 0;
  }

  /** Runs one command in the drill's service; on failure its last output line says why. */
  async command(command: string | string[]): Promise<StageResult & { output: string }> {
    const argv = toArgv(command);
    this.ctx.log.line(`$ [${this.step.service}] ${argv.join(' ')}`);
    const stop = this.ctx.log.capture();
    const { exitCode } = await this.ctx.driver.exec(this.step.service, argv, { env: this.step.env, output: this.ctx.log, signal: this.ctx.signal });
    const lines = stop();
    const last = lines.map((l) => l.trim()).filter(Boolean).at(-1);
    return { exitCode, output: lines.join('\n'), ...(exitCode === 0 ? {} : { detail: `exit code ${exitCode}${last ? ` (last: ${last.slice(0, 300)})` : ''}` }) };
  }

  async commands(commands: (string | string[])[]): Promise<StageResult> {
    for (const command of commands) {
      const result = await this.command(command);
      if (result.exitCode !== 0) return result;
    }
    return { exitCode: 0 };
  }

  /** The probe's output into `slot`; a failed probe is a failed sub-step. */
  async probe(slot: 'before' | 'after' | 'again'): Promise<StageResult> {
    const result = await this.command(this.step.probe);
    if (result.exitCode === 0) this.probes[slot] = result.output;
    return result;
  }

  /** Stops the stack, its volumes kept: the next release starts on them. */
  async down(): Promise<StageResult> {
    await this.ctx.driver.down({ volumes: false }, this.ctx.log);
    return { exitCode: 0 };
  }

  async up(release: StackRelease | undefined): Promise<StageResult> {
    await this.ctx.driver.up(this.ctx.log, this.ctx.signal, release);
    this.ctx.log.line(await this.ctx.driver.ps());
    return { exitCode: 0 };
  }

  async ready(): Promise<StageResult> {
    const { ready } = this.step;
    const base = this.ctx.baseUrl.endsWith('/') ? this.ctx.baseUrl : `${this.ctx.baseUrl}/`;
    const result = await waitForHttp({
      url: new URL(ready.url, base).toString(),
      status: Array.isArray(ready.status) ? ready.status : [ready.status],
      headers: {},
      timeoutMs: ready.timeout,
      intervalMs: ready.interval,
      signal: this.ctx.signal,
      clock: this.ctx.clock,
      onWait: (text) => this.ctx.log.progress(text),
    });
    this.ctx.log.line(result.detail);
    return result.ok ? { exitCode: 0 } : { exitCode: 1, detail: result.detail };
  }

  async read(): Promise<StageResult> {
    const { ctx } = this;
    const result = await runScenario(this.step.read, scenarioContext(ctx));
    return result.passed ? { exitCode: 0 } : { exitCode: 1, detail: result.detail };
  }
}

/**
 * The drill, in order; the first failed sub-step ends it. The candidate is left up: on the old
 * data once it started, else restarted (not judged) for the checks after this one.
 */
export async function runUpgradeDrill(step: UpgradeStep, ctx: StepContext, early?: Promise<PreviousBuild>): Promise<StepOutcome> {
  const drill = new Drill(step, ctx);
  const { ref } = step.previous;
  // From a git ref: the build the stability window overlapped, or (no window in this run) one started now.
  const build = ref === '' ? null : early ? await early : startPreviousBuild(ref, ctx, false);
  const made: { built?: BuiltRelease; touched?: boolean } = {};
  const ok =
    (await drill.stage('previous up', `${build ? `the previous release built from git ref "${ref}"; ` : ''}remove the candidate and its volumes (its logs are captured), start the previous release`, async () => {
      const built = build ? await awaitPreviousBuild(build, ctx) : undefined;
      if (built) made.built = built;
      made.touched = true;
      await ctx.driver.down({ volumes: true }, ctx.log);
      return drill.up(built ? built.release : { env: step.previous.env, images: step.previous.images });
    })) &&
    (await drill.stage('previous ready', `wait for ${step.ready.url}`, () => drill.ready())) &&
    (await drill.stage('previous seed', `${step.seed.length} command(s) as the previous release`, () => drill.commands(step.seed))) &&
    (await drill.stage('probe before', "the previous release's fingerprint", () => drill.probe('before'))) &&
    (await drill.stage('keep data', 'stop the previous release, volumes kept', () => drill.down())) &&
    (await drill.stage('candidate up', "start the candidate on the previous release's data", () => drill.up(undefined))) &&
    (await drill.stage('candidate ready', `wait for ${step.ready.url}`, () => drill.ready())) &&
    (await drill.stage('migrate', "the candidate's migrate on the old data", () => drill.command(step.migrate))) &&
    (await drill.stage('migrate check', 'no pending migration', () => drill.command(step.migrateCheck))) &&
    (await drill.stage('probe after', "the candidate's fingerprint of the old data", () => drill.probe('after'))) &&
    (await drill.stage('read', 'the E2E read steps on the old data', () => drill.read())) &&
    (await drill.stage('second migrate', 'a second migrate must do nothing', () => drill.command(step.migrate))) &&
    (await drill.stage('probe again', 'the fingerprint after the second migrate', () => drill.probe('again')));
  // A failed build touched nothing: the candidate still runs.
  if (!ok && made.touched && !drill.stages.some((s) => s.name === 'candidate up')) await restoreCandidate(ctx);
  // The previous release's containers are gone (replaced by the candidate): its checkout and tags go too.
  if (made.built) await removeBuilt(made.built, ctx);
  logDiffs(drill, step, ctx);
  const verdict = judge('upgrade', { stages: drill.stages, probes: drill.probes, ...(step.expectChange ? { expectChange: step.expectChange } : {}) });
  ctx.log.line(`${verdict.passed ? '✅' : '❌'} Upgrade: ${verdict.detail}`);
  const timing = Object.entries(drill.durations).map(([name, ms]) => `${name} ${formatDuration(ms)}`).join(', ');
  ctx.log.line(`timing: ${timing}`);
  return {
    passed: verdict.passed,
    detail: verdict.detail,
    evidence: drill.stages.filter((s) => s.exitCode === 0).length,
    judgements: [verdict],
  };
}

/** After a drill that failed before the candidate started: the candidate again, so later checks find a stack. */
async function restoreCandidate(ctx: StepContext): Promise<void> {
  ctx.log.line('=== the drill stopped before the candidate started: starting the candidate again (not judged) ===');
  try {
    await ctx.driver.down({ volumes: false }, ctx.log);
    await ctx.driver.up(ctx.log, ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log.line(`could not start the candidate again: ${errorMessage(err)}`);
  }
}

/** Removes the previous release's build; what is left is tried again at teardown, where a failure fails the gate. */
async function removeBuilt(built: BuiltRelease, ctx: StepContext): Promise<void> {
  try {
    await built.remove(ctx.log);
  } catch (err) {
    ctx.log.line(`✗ previous release not fully removed (tried again at teardown): ${errorMessage(err)}`);
  }
}

/** The fingerprints' differences, in the log, for the reader of a red Upgrade. */
function logDiffs(drill: Drill, step: UpgradeStep, ctx: StepContext): void {
  const { before, after, again } = drill.probes;
  if (before !== null && after !== null) {
    const diff = compareProbeOutputs(expectedAfter(before, step.expectChange), after, 'fingerprint');
    if (!diff.same) ctx.log.line(`✗ the fingerprint changed (previous release → candidate):\n${diff.diff}`);
  }
  if (after !== null && again !== null) {
    const diff = compareProbeOutputs(after, again, 'fingerprint');
    if (!diff.same) ctx.log.line(`✗ a second migrate changed the fingerprint:\n${diff.diff}`);
  }
}
