import { runUpgradeDrill } from './upgrade-drill.js';
import { defineStepKind } from './step-kind.js';
import { upgradeSchema } from './upgrade-schema.js';

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
  needs: () => ['lifecycle', 'exec', 'releases'],
  notApplicable(step) {
    const { env, images, ref } = step.previous;
    const given = Object.keys(env).length + Object.keys(images).length > 0;
    if (ref.trim() !== '' && given) return 'previous release given twice (previous.ref and previous.env/images): give one';
    if (ref.trim() !== '') return `building the previous release from a git ref ("${ref.trim()}") is not supported yet: give it as previous.images (compose) or previous.env (a switch of the same build)`;
    if (!given) return `no previous release given${step.previous.hint ? ` (${step.previous.hint})` : ' (previous.ref, previous.images or previous.env)'}`;
    return null;
  },
  title: (step) => {
    const { env, images } = step.previous;
    // Variable names only: a value may be a secret the config does not declare (titles reach every report).
    const source = Object.keys(images).length > 0 ? `images ${Object.values(images).join(', ')}` : Object.keys(env).length > 0 ? `with ${Object.keys(env).join(', ')} set` : '';
    return `Upgrade drill: previous release${source ? ` (${source})` : ''} → candidate, data kept`;
  },
  run: runUpgradeDrill,
});
