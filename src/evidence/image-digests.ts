import type Docker from 'dockerode';
import { lazyRequire } from '../common/lazy-require.js';
import { RgEnvironmentError, RgUsageError, errorMessage } from '../common/errors.js';

/*
 * What `verify --image` compares with the statement's subjects: the sha256 hex of an image.
 * A bare digest needs nothing; a reference (`name:tag`) is asked of the local Docker engine,
 * which answers the image id and its registry digests. Only a loopback engine is asked: a
 * remote one would say what some other machine calls that tag.
 */

/** Loaded only when a tag must be resolved: `verify` with a digest, and every other command, never load it. */
const dockerode = lazyRequire<typeof Docker>('dockerode');

const DIGEST = /^sha256:([0-9a-f]{64})$/;

/** The engine DOCKER_HOST names, when it is not on this machine (a unix socket, a named pipe, tcp to loopback). */
export function remoteDockerHost(dockerHost: string | undefined): string | null {
  if (!dockerHost || /^(unix|npipe):\/\//.test(dockerHost)) return null;
  let host: string;
  try {
    host = new URL(dockerHost).hostname;
  } catch {
    // Unparseable: not provably loopback, so treated as remote (and named in the error).
    return dockerHost;
  }
  return ['localhost', '127.0.0.1', '[::1]', '::1'].includes(host) ? null : dockerHost;
}

/** `sha256:<hex>` → hex; anything else → null. */
export function digestHex(text: string): string | null {
  return DIGEST.exec(text)?.[1] ?? null;
}

/** The sha256 hexes that stand for IMAGE: the digest itself, or the local image's id and registry digests. */
export async function imageDigests(image: string, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const bare = digestHex(image);
  if (bare) return [bare];
  const remote = remoteDockerHost(env['DOCKER_HOST']);
  if (remote) throw new RgUsageError(`--image ${image}: DOCKER_HOST is ${remote}, not this machine; a tag is resolved only by a local engine.`, 'Give the digest instead: --image sha256:<hex> (docker image inspect --format {{.Id}} on the machine that has it).');
  const Engine = dockerode();
  const docker = new Engine();
  let info: { Id?: string; RepoDigests?: string[] };
  try {
    info = (await docker.getImage(image).inspect()) as { Id?: string; RepoDigests?: string[] };
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 404) throw new RgUsageError(`--image ${image}: no such image on the local engine.`, 'Pull or build it first, or give its digest: --image sha256:<hex>.');
    throw new RgEnvironmentError('RG_DRIVER_UNAVAILABLE', `--image ${image}: the Docker engine did not answer (${errorMessage(err)}).`, 'Start Docker, or give the digest: --image sha256:<hex>.', err);
  }
  const hexes = [info.Id ?? '', ...(info.RepoDigests ?? []).map((r) => r.slice(r.lastIndexOf('@') + 1))].map(digestHex).filter((h): h is string => h !== null);
  return [...new Set(hexes)];
}
