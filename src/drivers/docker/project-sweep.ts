import type Docker from 'dockerode';
import { RgEnvironmentError, errorMessage } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';
import { removeProjectNetwork } from './network-removal.js';

/** Labels the sweep reads (compose's project label, release-gate's own mark). */
export interface SweepLabels {
  project: string;
  managed: string;
}

/**
 * After `compose down`: removes what is still labelled as the project's, whatever its profile
 * (a container started under a profile the current run does not enable is not in compose's
 * model, so `down` leaves it running the previous build, and its network "still in use").
 * Only containers release-gate started (its label) are removed; a network is removed once
 * empty. Returns what is still there after it, each named with why: anything left fails the
 * step that tore down.
 */
export async function sweepProject(docker: Docker, name: string, labels: SweepLabels, opts: { volumes: boolean; output: OutputSink }): Promise<string[]> {
  try {
    return await sweep(docker, name, labels, opts);
  } catch (err) {
    if (err instanceof RgEnvironmentError) throw err;
    // The Engine API itself failed (no answer, HTTP 500): the environment's fault, exit 3.
    throw new RgEnvironmentError(
      'RG_ENGINE_FAULT',
      `The Docker engine failed while removing project ${name}: ${errorMessage(err)}. Fix: check it with \`docker info\`, restart it (\`sudo systemctl restart docker\` or \`sudo scripts/docker-engine.sh\`), then rerun.`,
      undefined,
      err,
    );
  }
}

async function sweep(docker: Docker, name: string, labels: SweepLabels, opts: { volumes: boolean; output: OutputSink }): Promise<string[]> {
  const filters = { label: [`${labels.project}=${name}`] };
  const why = new Map<string, string>();
  const containers = await docker.listContainers({ all: true, filters });
  for (const c of containers) {
    const label = `container ${containerName(c)}`;
    if (c.Labels[labels.managed] !== 'true') {
      why.set(label, 'not started by release-gate: not removed');
      continue;
    }
    try {
      await docker.getContainer(c.Id).remove({ force: true, v: opts.volumes });
      opts.output.line(`removed ${label} (${c.State}; left by compose down: its profile is not enabled in this run)`);
    } catch (err) {
      why.set(label, errorMessage(err));
    }
  }
  const owned = (l: Record<string, string>) => l[labels.project] === name && l[labels.managed] === 'true';
  for (const n of await docker.listNetworks({ filters })) {
    try {
      const how = await removeProjectNetwork(docker, n, owned, opts.output);
      opts.output.line(`${how === 'removed' ? 'removed' : 'removed, once its endpoints were detached,'} network ${n.Name} (left by compose down)`);
    } catch (err) {
      // The engine's own fault (exit 3) is not a leftover of the release: it goes up as such.
      if (err instanceof RgEnvironmentError) throw err;
      why.set(`network ${n.Name}`, errorMessage(err));
    }
  }
  if (opts.volumes) {
    for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) {
      if ((v.Labels ?? {})[labels.managed] !== 'true') {
        why.set(`volume ${v.Name}`, 'not created by release-gate: not removed');
        continue;
      }
      try {
        await docker.getVolume(v.Name).remove();
        opts.output.line(`removed volume ${v.Name} (left by compose down)`);
      } catch (err) {
        why.set(`volume ${v.Name}`, errorMessage(err));
      }
    }
  }
  return projectLeftovers(docker, name, labels, opts.volumes, why);
}

/** What still carries the project's label, each with the reason it could not be removed when known. */
async function projectLeftovers(docker: Docker, name: string, labels: SweepLabels, volumes: boolean, why: Map<string, string>): Promise<string[]> {
  const filters = { label: [`${labels.project}=${name}`] };
  const left = [
    ...(await docker.listContainers({ all: true, filters })).map((c) => `container ${containerName(c)}`),
    ...(await docker.listNetworks({ filters })).map((n) => `network ${n.Name}`),
    ...(volumes ? ((await docker.listVolumes({ filters })).Volumes ?? []).map((v) => `volume ${v.Name}`) : []),
  ];
  return left.map((what) => (why.has(what) ? `${what} (${why.get(what)})` : what));
}

function containerName(c: Docker.ContainerInfo): string {
  return (c.Names[0] ?? c.Id.slice(0, 12)).replace(/^\//, '');
}
