import { builtinJudges, type JudgeInput } from '../../checks/judges.js';
import type { UpgradeStageName } from '../../checks/upgrade-verdict.js';
import { clone, type Criterion } from '../evidence-mutations.js';

type UpgradeInput = JudgeInput<'upgrade'>;

/** The input with one sub-step failed as a broken release leaves it. */
function failed(input: UpgradeInput, name: UpgradeStageName, detail: string): UpgradeInput {
  const broken = clone(input);
  broken.stages = broken.stages.map((s) => (s.name === name ? { ...s, exitCode: 1, detail } : s));
  return broken;
}

/** Upgrade: the migrate fails on old data, rows are lost, the reads fail, a second migrate rewrites. */
export const upgradeCriterion: Criterion<'upgrade'> = {
  judge: builtinJudges.upgrade,
  mutations: (input) => {
    const lost = clone(input);
    // A row lost in the migration: the candidate's fingerprint (and the one after it) differ.
    const dropped = `${input.probes.after ?? ''}\nrelease-gate selftest: one row lost`;
    lost.probes = { ...lost.probes, after: dropped, again: dropped };
    const rewritten = clone(input);
    rewritten.probes = { ...rewritten.probes, again: `${input.probes.again ?? ''}\nrelease-gate selftest: rewritten by a second migrate` };
    return {
      mutations: [
        { label: "the candidate's migrate exits 1 on the previous release's data", input: failed(input, 'migrate', 'exit code 1 (injected)') },
        { label: 'the fingerprint changed after the upgrade (a row lost)', input: lost },
        { label: 'the E2E reads failed on the old data', input: failed(input, 'read', 'GET /api/exams/: HTTP 500 (injected)') },
        { label: 'a second migrate changed the data', input: rewritten },
      ],
    };
  },
};
