import type Docker from 'dockerode';
import type { ServiceProvenance, StackProvenance } from '../../model/stack.js';
import type { ComposeFlavor } from './compose-cli.js';
import { SERVICE_LABEL } from './compose-project.js';

/** What the Engine says of one image; size and layers are absent when the image is gone. */
type ImageFacts = Pick<ServiceProvenance, 'repoDigests' | 'imageSize' | 'imageLayers'>;

/**
 * What the project's containers run, from the Engine API: each service's image id (the
 * content digest of the image config), the image's registry digests, size and layer count. A locally built
 * image has no registry digest; its id is still content-addressed.
 */
export async function composeProvenance(
  docker: Docker,
  containers: Docker.ContainerInfo[],
  services: string[],
  flavor: ComposeFlavor | null,
): Promise<StackProvenance> {
  const version = (await docker.version()) as { Version?: string; ApiVersion?: string };
  const engine: StackProvenance['engine'] = { name: 'docker' };
  if (version.Version) engine.version = version.Version;
  if (version.ApiVersion) engine.apiVersion = version.ApiVersion;
  const images = new Map<string, Promise<ImageFacts>>();
  const imageFacts = (id: string) => {
    if (!images.has(id)) {
      images.set(
        id,
        docker
          .getImage(id)
          .inspect()
          .then((info) => ({ repoDigests: [...(info.RepoDigests ?? [])].sort(), imageSize: info.Size, imageLayers: info.RootFS?.Layers?.length ?? 0 }))
          // The image was removed since the container started: the id alone is still evidence.
          .catch(() => ({ repoDigests: [] })),
      );
    }
    return images.get(id) as Promise<ImageFacts>;
  };
  const out: ServiceProvenance[] = [];
  for (const name of services) {
    const list = containers.filter((c) => c.Labels[SERVICE_LABEL] === name);
    const ids = [...new Set(list.map((c) => c.ImageID))];
    if (ids.length === 0) {
      out.push({ name, note: 'no container: nothing ran' });
      continue;
    }
    for (const id of ids) {
      const first = list.find((c) => c.ImageID === id) as Docker.ContainerInfo;
      out.push({ name, image: first.Image, imageId: id, ...(await imageFacts(id)) });
    }
  }
  return { engine, ...(flavor ? { compose: { kind: flavor.kind, version: flavor.version } } : {}), services: out };
}
