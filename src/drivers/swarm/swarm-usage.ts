import type Docker from 'dockerode';
import type { ServiceUsage } from '../../model/stack.js';
import { SERVICE_LABEL } from '../compose/compose-project.js';
import { ContainerUsage, mergeUsage } from '../docker/container-usage.js';
import type { SwarmNode } from './swarm-nodes.js';
import type { NodeContainer } from './swarm-tasks.js';

/** Memory and CPU of a stack's services, each task container sampled in its node's engine, summed per service over the nodes. */
export class SwarmUsage {
  /** One sampler per engine: each keeps its containers' previous CPU reading and limits. */
  private readonly samplers = new Map<string, ContainerUsage>();

  async sample(engines: readonly { node: SwarmNode; docker: Docker }[], containers: readonly NodeContainer[]): Promise<ServiceUsage[]> {
    const samples: ServiceUsage[] = [];
    for (const { node, docker } of engines) {
      let sampler = this.samplers.get(node.id);
      if (!sampler) this.samplers.set(node.id, (sampler = new ContainerUsage(docker, SERVICE_LABEL)));
      samples.push(...(await sampler.sample(containers.filter((c) => c.nodeId === node.id))));
    }
    return mergeUsage(samples);
  }
}
