import { runUpgradeDrill } from './upgrade-drill.js';
import { defineStepKind } from './step-kind.js';
import { upgradeSchema } from './upgrade-schema.js';
import { startPreviousBuild } from './upgrade-previous-build.js';

/**
 * The upgrade drill: the previous release on fresh volumes, seeded and fingerprinted; then the
 * candidate on those volumes: its migrate, "no pending migration", the same fingerprint, the E2E
 * reads, a second migrate that changes nothing. It replaces the stack's services, so it runs after
 * the log capture, on a passing gate (an `ifPassed` phase); the candidate stays up after it.
 */
export const upgradeStep = defineStepKind({
  name: 'upgrade',
  schema: upgradeSchema,
  timeout: 'hard',
  disturbsStack: true,
  // From a git ref, the driver builds it too (compose: a worktree of the ref, its own compose file).
  needs: (step) => (step.previous.ref === '' ? ['lifecycle', 'exec', 'releases'] : ['lifecycle', 'exec', 'releases', 'ref-releases']),
  notApplicable(step) {
    const { env, images, ref } = step.previous;
    const given = Object.keys(env).length + Object.keys(images).length > 0;
    if (ref !== '' && given) return 'previous release given twice (previous.ref and previous.env/images): give one';
    if (ref !== '') return null;
    if (!given) return `no previous release given${step.previous.hint ? ` (${step.previous.hint})` : ' (previous.ref, previous.images or previous.env)'}`;
    return null;
  },
  // Its build overlaps the stability window: the drill then adds boot, seed, switch and checks to the wall, not a build.
  startEarly: (step, ctx) => (step.previous.ref === '' ? null : Promise.resolve(startPreviousBuild(step.previous.ref, ctx, true))),
  title: (step) => {
    const { env, images, ref } = step.previous;
    // Variable names only: a value may be a secret the config does not declare (titles reach every report).
    const source = ref !== '' ? `git ref ${ref}` : Object.keys(images).length > 0 ? `images ${Object.values(images).join(', ')}` : Object.keys(env).length > 0 ? `with ${Object.keys(env).join(', ')} set` : '';
    return `Upgrade drill: previous release${source ? ` (${source})` : ''} → candidate, data kept`;
  },
  run: runUpgradeDrill,
});
