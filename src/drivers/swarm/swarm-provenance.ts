import type Docker from 'dockerode';
import type { StackProvenance } from '../../model/stack.js';
import type { ComposeFlavor } from '../compose/compose-cli.js';
import { composeProvenance } from '../compose/compose-provenance.js';
import { SERVICE_LABEL } from '../compose/compose-project.js';
import type { SwarmNode } from './swarm-nodes.js';
import type { NodeContainer } from './swarm-tasks.js';

/**
 * What each service ran, read in the engine of a node holding one of its task containers (the
 * manager's first): an image is described by the engine it is in. A service with no container
 * anywhere gets compose's "no container" note.
 */
export async function swarmProvenance(
  manager: Docker,
  engines: readonly { node: SwarmNode; docker: Docker }[],
  containers: readonly NodeContainer[],
  wanted: readonly string[],
  flavor: ComposeFlavor | null,
): Promise<StackProvenance> {
  const found = new Map<string, StackProvenance['services']>();
  const keep = (part: StackProvenance) => {
    for (const svc of part.services) found.set(svc.name, [...(found.get(svc.name) ?? []), svc]);
  };
  let engine: StackProvenance['engine'] | null = null;
  for (const { node, docker } of engines) {
    const here = containers.filter((c) => c.nodeId === node.id);
    const names = wanted.filter((name) => !found.has(name) && here.some((c) => c.Labels[SERVICE_LABEL] === name));
    if (names.length === 0 && !node.self) continue;
    const part = await composeProvenance(docker, here, names, flavor);
    if (node.self) engine = part.engine;
    keep(part);
  }
  const rest = await composeProvenance(manager, [], wanted.filter((name) => !found.has(name)), flavor);
  keep(rest);
  return { ...rest, engine: { ...(engine ?? rest.engine), name: 'docker swarm' }, services: wanted.flatMap((name) => found.get(name) ?? []) };
}
