import type Docker from 'dockerode';
import { RgEnvironmentError, errorMessage } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';

/** Removals tried after disconnecting (moby#43286: an endpoint can linger a moment after its disconnect). */
const ATTEMPTS = 3;

/** The engine's refusal to remove a network that still has endpoints (Docker 20.10: "has active endpoints"). */
export function isActiveEndpoints(err: unknown): boolean {
  return /active endpoints|resource is still in use/i.test(errorMessage(err));
}

/**
 * Removes a project's network. On "active endpoints" (a container the gate does not own attached
 * to it, or an endpoint the engine failed to release: moby#43286), disconnects every endpoint by
 * force and tries again: a release gate never deletes a container it does not own, it only
 * detaches it (the container keeps running, on its other networks). When the engine still
 * refuses, that is the engine's fault, not the release's: exit 3, with the commands that fix it.
 */
export async function removeProjectNetwork(docker: Docker, network: { Id: string; Name: string }, owned: (labels: Record<string, string>) => boolean, output: OutputSink): Promise<'removed' | 'removed after detaching'> {
  const net = docker.getNetwork(network.Id);
  let last: unknown;
  try {
    await net.remove();
    return 'removed';
  } catch (err) {
    if (!isActiveEndpoints(err)) throw err;
    last = err;
  }
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const info = (await net.inspect()) as { Containers?: Record<string, { Name?: string }> };
    for (const [id, endpoint] of Object.entries(info.Containers ?? {})) {
      const who = endpoint.Name ?? id.slice(0, 12);
      const labels = await docker
        .getContainer(id)
        .inspect()
        .then((c: { Config?: { Labels?: Record<string, string> } }) => c.Config?.Labels ?? {})
        .catch(() => null);
      // Ours would have been removed already; a stale endpoint has no container at all.
      const what = labels === null ? 'stale endpoint' : owned(labels) ? 'container of this project' : 'container release-gate does not own: left running';
      try {
        await net.disconnect({ Container: id, Force: true });
        output.line(`disconnected ${who} (${what}) from network ${network.Name}, which it kept in use`);
      } catch (err) {
        last = err;
        output.line(`could not disconnect ${who} from network ${network.Name}: ${errorMessage(err)}`);
      }
    }
    try {
      await net.remove();
      return 'removed after detaching';
    } catch (err) {
      if (!isActiveEndpoints(err)) throw err;
      last = err;
    }
  }
  throw new RgEnvironmentError(
    'RG_ENGINE_FAULT',
    `The Docker engine refuses to remove network ${network.Name} after disconnecting its endpoints ${ATTEMPTS} times (${errorMessage(last)}; moby#43286). ` +
      `Fix: \`docker network inspect ${network.Name}\`, \`docker network disconnect -f ${network.Name} <endpoint>\` for each endpoint, then \`docker network rm ${network.Name}\`; if it still refuses, restart the engine (\`sudo systemctl restart docker\`).`,
    undefined,
    last,
  );
}
