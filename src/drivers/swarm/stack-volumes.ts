import type Docker from 'dockerode';
import type { Clock } from '../../common/clock.js';
import { RgStepError, errorMessage } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';
import { waitFor } from '../../common/wait.js';

/** How long a volume may stay in use by a task container still going away. */
const VOLUME_BUDGET_MS = 30_000;

/**
 * `stack rm` leaves volumes (they belong to their node): removes the stack's, each in its own
 * node's engine, once no task uses it.
 */
export async function removeStackVolumes(
  volumes: readonly { docker: Docker; node: string; volume: Docker.VolumeInspectInfo }[],
  stackName: string,
  clock: Clock,
  output: OutputSink,
): Promise<void> {
  const several = new Set(volumes.map((v) => v.node)).size > 1;
  for (const { docker, node, volume } of volumes) {
    const removed = await waitFor(
      async () => {
        try {
          await docker.getVolume(volume.Name).remove();
          return { done: true, value: '' };
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode === 404) return { done: true, value: '' };
          return { done: false, value: errorMessage(err) }; // in use by a container still going away
        }
      },
      { timeoutMs: VOLUME_BUDGET_MS, intervalMs: 500, clock },
    );
    const where = several ? ` on node ${node}` : '';
    if (!removed.ok) throw new RgStepError(`volume ${volume.Name}${where} of stack ${stackName} not removed (last: ${removed.last ?? '?'}).`);
    output.line(`removed volume ${volume.Name}${where}`);
  }
  if (volumes.length === 0) output.line(`stack ${stackName}: no volume to remove`);
}
