import type Docker from 'dockerode';
import { RgConfigError, RgStepError, errorMessage } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';
import type { ProcessResult } from '../../common/process-group.js';

/** `host:port` or `host` (optionally with a path): where every node pulls the stack's built images from. */
const REGISTRY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9._-]+)*$/;

/** The registry address checked: a config error naming `stack.registry` and what is allowed. */
export function checkRegistry(registry: string): string {
  const value = registry.trim().replace(/\/+$/, '');
  if (!REGISTRY.test(value)) {
    // Credentials never reach a message: whatever precedes an "@" is shown as "…".
    const shown = registry.replace(/^([a-z]+:\/\/)?[^@/]*@/i, '$1…@');
    throw new RgConfigError([{ where: 'stack.registry', message: `"${shown}" is not a registry address (allowed: host[:port][/path], e.g. registry.example.org:5000 or 10.0.0.5:5000/team; no scheme, no credentials: \`docker login\` holds those)` }]);
  }
  return value;
}

/**
 * The name an image gets in the registry: the registry's host in front of the image's own path
 * (a registry host the image already names is replaced: the stack's registry is the one nodes reach).
 */
export function registryName(registry: string, image: string): string {
  const first = image.split('/')[0] ?? '';
  const hasHost = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return `${registry}/${hasHost ? image.slice(first.length + 1) : image}`;
}

/**
 * Tags each built image with the registry's name and pushes it (the docker CLI: its credential
 * helpers and `docker login` are what a registry needs), so every node can pull it. Returns the
 * registry name per image, pinned to the pushed digest (`name:tag@sha256:…`) when the engine
 * knows it.
 */
export async function pushImages(
  docker: Docker,
  registry: string,
  images: readonly string[],
  run: (args: string[]) => Promise<ProcessResult>,
  output: OutputSink,
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const image of [...new Set(images)].sort()) {
    const target = registryName(registry, image);
    const colon = target.lastIndexOf(':');
    const hasTag = colon > target.lastIndexOf('/');
    try {
      await docker.getImage(image).tag({ repo: hasTag ? target.slice(0, colon) : target, tag: hasTag ? target.slice(colon + 1) : 'latest' });
    } catch (err) {
      throw new RgStepError(`Image ${image} could not be tagged ${target}: ${errorMessage(err)}.`, { hint: 'Was it built? The build step (or `docker compose build`) makes it.' });
    }
    output.line(`push ${image} → ${target}`);
    const r = await run(['push', target]);
    if (r.exitCode !== 0) {
      throw new RgStepError(`docker push ${target} exited with ${r.exitCode}${r.tail.at(-1) ? ` (last: ${r.tail.at(-1)?.trim()})` : ''}.`, {
        hint: `Can this engine reach ${registry}? A registry without TLS must be in every engine's "insecure-registries" (daemon.json); one with credentials needs \`docker login ${registry.split('/')[0]}\`.`,
      });
    }
    const tagged = hasTag ? target : `${target}:latest`;
    // Pinned to what was pushed: a later push of the same tag (another checkout) cannot change what the nodes run.
    const repo = tagged.slice(0, tagged.lastIndexOf(':'));
    const digests = ((await docker.getImage(tagged).inspect().catch(() => null))?.RepoDigests ?? []).filter((d) => d.startsWith(`${repo}@`));
    const digest = digests[0]?.slice(repo.length + 1);
    if (!digest) {
      // Deployed by tag alone, a later push of the same tag (another checkout) would change what the nodes run.
      throw new RgStepError(`docker push ${tagged} succeeded, but the engine knows no registry digest for it: the deploy could not be pinned to what was pushed.`, { hint: 'Check the registry with `docker manifest inspect` and push again.' });
    }
    output.line(`  ${tagged}@${digest}`);
    names.set(image, `${tagged}@${digest}`);
  }
  return names;
}
