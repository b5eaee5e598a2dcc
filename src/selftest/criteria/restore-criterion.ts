import { builtinJudges, type RestoreInput } from '../../checks/judges.js';
import type { Criterion, EvidenceMutation } from '../evidence-mutations.js';

/**
 * Restore: the restored copy reads differently (one probe line changed, as a backup missing a
 * table leaves it), and, when an rto is set, the restore took longer than it.
 */
export const restoreCriterion: Criterion<'restore'> = {
  judge: builtinJudges.restore,
  mutations: (input: RestoreInput) => {
    const mutations: EvidenceMutation[] = [];
    if (input.restored) {
      const [first = '', ...rest] = input.restored.output.split('\n');
      const changed = [`${first} (release-gate selftest: injected change)`, ...rest].join('\n');
      mutations.push({ label: 'one line of the restored probe output changed', input: { ...input, restored: { ...input.restored, output: changed } } });
    }
    if (input.beforeRestore) {
      mutations.push({ label: 'the restored probe read the live data before the restore', input: { ...input, beforeRestore: input.live } });
    }
    if (input.rtoMs !== undefined) {
      mutations.push({ label: 'the restore took longer than the rto', input: { ...input, restoreMs: input.rtoMs + 1 } });
    }
    return mutations.length > 0 ? { mutations } : { none: 'the restore did not run: no restored output to change' };
  },
};
