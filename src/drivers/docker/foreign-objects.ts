import type Docker from 'dockerode';
import { RgEnvironmentError } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';

/**
 * The volumes that merely have the names a project or stack `owner` will give its own
 * (`<owner>_<volume>`) without `label=<owner>`: deploying would adopt them, data included, and
 * a teardown with volumes delete them.
 */
export async function namesakeVolumes(docker: Docker, owner: string, volumes: readonly string[], label: string): Promise<string[]> {
  const namesakes: string[] = [];
  for (const volume of volumes) {
    const name = `${owner}_${volume}`;
    const info = await docker.getVolume(name).inspect().catch(() => null);
    if (info && (info.Labels ?? {})[label] !== owner) namesakes.push(name);
  }
  return namesakes;
}

/**
 * What a compose project or a swarm stack holds that release-gate did not create: nothing to
 * do when empty; with --force-clean, said and allowed; otherwise refused (exit 3), naming the
 * first few and the setting that picks another name.
 */
export function refuseForeignObjects(
  what: string[],
  owner: { kind: 'Compose project' | 'Swarm stack'; name: string; nameSetting: string; forceClean: boolean | undefined },
  output: OutputSink,
): void {
  if (what.length === 0) return;
  const lower = owner.kind === 'Compose project' ? 'project' : 'stack';
  if (owner.forceClean) {
    output.line(`--force-clean: removing what release-gate did not create in ${lower} ${owner.name}: ${what.join(', ')}`);
    return;
  }
  throw new RgEnvironmentError(
    'RG_FOREIGN_PROJECT',
    `${owner.kind} "${owner.name}" holds ${what.length} object(s) release-gate did not create (${what.slice(0, 5).join(', ')}${what.length > 5 ? ', …' : ''}); refusing to touch them.`,
    `Pick another ${lower} name (${owner.nameSetting}), or pass --force-clean to remove that ${lower} and its volumes.`,
  );
}
