/**
 * The upgrade drill's verdict (previous release → candidate on the previous release's data), a
 * pure function of what the drill recorded: each sub-step's exit code and the three fingerprints.
 */
import { compareProbeOutputs } from './idempotence-diff.js';

/** The drill's sub-steps, in run order: each must have run and ended with 0. */
export const UPGRADE_STAGES = [
  'previous up',
  'previous ready',
  'previous seed',
  'probe before',
  'keep data',
  'candidate up',
  'candidate ready',
  'migrate',
  'migrate check',
  'probe after',
  'read',
  'second migrate',
  'probe again',
] as const;

export type UpgradeStageName = (typeof UPGRADE_STAGES)[number];

export interface UpgradeStage {
  name: UpgradeStageName;
  /** 0: done; anything else: failed (a wait that gave up or a step error is recorded as 1). */
  exitCode: number;
  /** Why it failed, in a line (the command's last meaningful output, the wait's last answer). */
  detail?: string | undefined;
}

/** A probe's output, exit code aside (a failed probe is a failed stage). */
export interface UpgradeProbes {
  /** On the previous release, after its seed. */
  before: string | null;
  /** On the candidate, after its migrate. */
  after: string | null;
  /** After the second migrate. */
  again: string | null;
}

/** A declared change of the probe's output: each regex replaced in the "before" output gives the expected "after". */
export interface ProbeChange {
  from: string;
  to: string;
}

export interface UpgradeInput {
  stages: UpgradeStage[];
  probes: UpgradeProbes;
  expectChange?: ProbeChange[] | undefined;
}

/** Why a failed sub-step fails the upgrade, in the reader's words. */
const FAILURE: Record<UpgradeStageName, string> = {
  'previous up': 'the previous release did not start',
  'previous ready': 'the previous release never became ready',
  'previous seed': "the previous release's seed failed",
  'probe before': "the fingerprint probe failed on the previous release",
  'keep data': 'stopping the previous release (volumes kept) failed',
  'candidate up': "the candidate did not start on the previous release's data",
  'candidate ready': "the candidate never became ready on the previous release's data",
  migrate: "the candidate's migrate failed on the previous release's data",
  'migrate check': "a migration is still pending after the candidate's migrate",
  'probe after': 'the fingerprint probe failed on the candidate',
  read: "the E2E read steps failed on the previous release's data",
  'second migrate': 'a second migrate failed',
  'probe again': 'the fingerprint probe failed after a second migrate',
};

/** The before output with the declared changes applied: what the candidate's probe must print. */
export function expectedAfter(before: string, changes: ProbeChange[] | undefined): string {
  return (changes ?? []).reduce((text, change) => text.replace(new RegExp(change.from, 'gm'), change.to), before);
}

/** The changed lines of two outputs, shortened: `- copies: 5 / + copies: 4`. */
function changedLines(a: string, b: string): string {
  const { diff } = compareProbeOutputs(a, b, 'fingerprint');
  const lines = diff.split('\n').filter((l) => /^[-+](?![-+]{2} )/.test(l));
  return lines.slice(0, 4).join(' / ') + (lines.length > 4 ? ` (+${lines.length - 4} more)` : '');
}

/**
 * Upgrade: every sub-step ran and passed (the candidate's migrate on the old data, no pending
 * migration, the E2E reads), the old data's fingerprint is unchanged (or changed exactly as
 * declared), and a second migrate leaves it as it was.
 */
export function judgeUpgrade(input: UpgradeInput): { passed: boolean; detail: string } {
  for (const name of UPGRADE_STAGES) {
    const stage = input.stages.find((s) => s.name === name);
    if (!stage) return { passed: false, detail: `${FAILURE[name]}: not run` };
    if (stage.exitCode !== 0) return { passed: false, detail: `${FAILURE[name]}: ${stage.detail ?? `exit code ${stage.exitCode}`}` };
  }
  const { before, after, again } = input.probes;
  if (before === null || after === null || again === null) return { passed: false, detail: 'a fingerprint is missing: cannot judge the data' };
  if (before.trim() === '') return { passed: false, detail: 'the fingerprint of the previous release is empty: it proves nothing' };
  const expected = expectedAfter(before, input.expectChange);
  if (!compareProbeOutputs(expected, after, 'fingerprint').same) {
    return { passed: false, detail: `the fingerprint changed${input.expectChange?.length ? ' beyond the declared change' : ''}: ${changedLines(expected, after)}` };
  }
  if (!compareProbeOutputs(after, again, 'fingerprint').same) return { passed: false, detail: `a second migrate changed the data: ${changedLines(after, again)}` };
  const declared = input.expectChange?.length ? ' (as declared)' : '';
  return { passed: true, detail: `candidate migrated the previous release's data: fingerprint unchanged${declared}, E2E reads passed, second migrate a no-op` };
}
