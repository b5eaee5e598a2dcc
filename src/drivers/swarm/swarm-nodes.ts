import type Docker from 'dockerode';
import { RgEnvironmentError, RgStepError, errorMessage } from '../../common/errors.js';
import { dockerAt } from '../docker/engine-client.js';
import type { EngineEndpoint } from '../docker/engine-endpoint.js';
import { pingEngine } from '../docker/engine-api.js';
import type { Clock } from '../../common/clock.js';
import type { OutputSink } from '../../common/output.js';
import { waitFor } from '../../common/wait.js';

/** One node of the swarm as the manager lists it, with the engine its tasks are reached through. */
export interface SwarmNode {
  id: string;
  hostname: string;
  role: string;
  /** `ready`, `down`, `unknown`, `disconnected`. */
  state: string;
  /** `active`, `pause`, `drain`. */
  availability: string;
  /** The manager the gate talks to. */
  self: boolean;
  /** Its engine (the manager's own for `self`); null when no endpoint is configured for it. */
  engine: Docker | null;
  endpoint: EngineEndpoint | null;
}

/** A node that takes tasks: ready and active. */
const takesTasks = (n: SwarmNode) => n.state === 'ready' && n.availability === 'active';

/**
 * The swarm's nodes and each one's engine. A task container lives in its node's engine: exec,
 * copy, health, OOM, events and stats of a task placed on another node go through that node's
 * engine, given per node hostname (or id) in `stack.nodeEngines`. On a one-node swarm the only
 * engine is the manager's and nothing needs configuring.
 */
export class SwarmNodes {
  private known: SwarmNode[] = [];
  /** The manager's own node id: asked once (it does not change while the gate runs). */
  private selfId: string | null = null;
  private readonly clients = new Map<string, Docker>();

  constructor(
    private readonly manager: Docker,
    private readonly managerEndpoint: EngineEndpoint,
    /** Node hostname or id → its engine's endpoint. */
    private readonly endpoints: Readonly<Record<string, EngineEndpoint>>,
  ) {}

  /** The nodes now (the manager's list); each node's engine client is made once. */
  async list(): Promise<SwarmNode[]> {
    this.selfId ??= ((await this.manager.info()) as { Swarm?: { NodeID?: string } }).Swarm?.NodeID ?? null;
    const selfId = this.selfId ?? '';
    const nodes = (await this.manager.listNodes()) as {
      ID: string;
      Description?: { Hostname?: string };
      Spec?: { Role?: string; Availability?: string };
      Status?: { State?: string };
    }[];
    this.known = nodes
      .map((n) => {
        const hostname = n.Description?.Hostname ?? n.ID;
        const self = n.ID === selfId;
        const endpoint = self ? this.managerEndpoint : (this.endpoints[hostname] ?? this.endpoints[n.ID] ?? null);
        return {
          id: n.ID,
          hostname,
          role: n.Spec?.Role ?? '?',
          state: n.Status?.State ?? 'unknown',
          availability: n.Spec?.Availability ?? '?',
          self,
          engine: self ? this.manager : endpoint ? this.client(n.ID, endpoint, hostname) : null,
          endpoint,
        };
      })
      .sort((a, b) => a.hostname.localeCompare(b.hostname));
    return this.known;
  }

  /** More than one node takes tasks: images must come from a registry, tasks may run elsewhere. */
  async multiNode(): Promise<boolean> {
    return (await this.list()).filter(takesTasks).length > 1;
  }

  /** The last listed node of that id (no engine call). */
  node(id: string | undefined): SwarmNode | undefined {
    return id === undefined ? undefined : this.known.find((n) => n.id === id);
  }

  /** The engine a task on that node is reached through; a step error naming the node and the setting when there is none. */
  async engineOf(nodeId: string | undefined): Promise<Docker> {
    let node = this.node(nodeId);
    if (!node) node = (await this.list()).find((n) => n.id === nodeId);
    if (node?.engine) return node.engine;
    throw new RgStepError(`The task runs on node ${node?.hostname ?? nodeId ?? '?'}, whose engine the gate cannot reach.`, {
      hint: `Give its endpoint in stack.nodeEngines (e.g. nodeEngines: { ${node?.hostname ?? 'node'}: "tcp://…:2375" }).`,
    });
  }

  /** Every node engine the gate can reach (the manager's first): where the stack's containers and volumes are. */
  async engines(): Promise<{ node: SwarmNode; docker: Docker }[]> {
    const nodes = this.known.length > 0 ? this.known : await this.list();
    return nodes.filter((n) => n.engine !== null).map((n) => ({ node: n, docker: n.engine as Docker })).sort((a, b) => Number(b.node.self) - Number(a.node.self));
  }

  /**
   * Preflight: every node that takes tasks has a reachable engine that is that node (an endpoint
   * answering as another node would observe the wrong containers). Returns the lines to log.
   */
  async check(): Promise<string[]> {
    const nodes = await this.list();
    const lines = [`${nodes.length} node${nodes.length === 1 ? '' : 's'}:`];
    for (const n of nodes) {
      const facts = `${n.role}, ${n.state}, ${n.availability}`;
      if (n.self) {
        lines.push(`  ${n.hostname} (${facts}): the manager the gate talks to`);
        continue;
      }
      if (!n.engine || !n.endpoint) {
        if (!takesTasks(n)) {
          lines.push(`  ${n.hostname} (${facts}): takes no task, not reached`);
          continue;
        }
        throw new RgEnvironmentError(
          'RG_SWARM_NODE_UNREACHABLE',
          `Swarm node ${n.hostname} (${facts}) takes tasks, but the gate has no endpoint for its engine: exec, copy, health and OOM of a task placed there go through it.`,
          `Give it in the config: stack.nodeEngines: { ${n.hostname}: "tcp://<address>:2375" } (or an ssh:// URL), or drain the node (docker node update --availability drain ${n.hostname}).`,
        );
      }
      await pingEngine(n.engine, n.endpoint).catch((err: unknown) => {
        throw new RgEnvironmentError('RG_SWARM_NODE_UNREACHABLE', `The engine of swarm node ${n.hostname} does not answer at ${n.endpoint} (stack.nodeEngines): ${errorMessage(err)}`, 'Check the address and that its dockerd listens there.', err);
      });
      const answersAs = ((await n.engine.info()) as { Swarm?: { NodeID?: string } }).Swarm?.NodeID ?? '';
      if (answersAs !== n.id) {
        throw new RgEnvironmentError(
          'RG_SWARM_NODE_UNREACHABLE',
          `stack.nodeEngines gives ${n.endpoint} for node ${n.hostname} (${n.id.slice(0, 12)}), but that engine is ${answersAs ? `node ${this.node(answersAs)?.hostname ?? answersAs.slice(0, 12)}` : 'not in the swarm'}.`,
          'Give each node its own engine endpoint.',
        );
      }
      lines.push(`  ${n.hostname} (${facts}): engine ${n.endpoint}`);
    }
    return lines;
  }

  /**
   * Waits until every node engine the gate knows answers again (a node restarting), so that what
   * the stack left there can be removed; a step error naming the nodes still silent after budgetMs.
   */
  async waitReachable(clock: Clock, budgetMs: number, output: OutputSink): Promise<void> {
    const told = new Set<string>();
    const outcome = await waitFor(
      async () => {
        const silent: string[] = [];
        for (const { node, docker } of await this.engines()) {
          if (node.self) continue;
          const answers = await pingEngine(docker, node.endpoint ?? '?').then(
            () => true,
            () => false,
          );
          if (answers) continue;
          silent.push(`${node.hostname} (${node.endpoint ?? '?'})`);
          if (!told.has(node.id)) output.line(`waiting for the engine of node ${node.hostname} (${node.state}) to answer: what the stack left there is removed once it does`);
          told.add(node.id);
        }
        return { done: silent.length === 0, value: silent };
      },
      { timeoutMs: budgetMs, intervalMs: 1000, clock },
    );
    if (!outcome.ok) {
      throw new RgStepError(`The engine of node ${(outcome.last ?? []).join(', ')} did not answer within ${budgetMs / 1000}s: the stack's task containers and volumes there could not be removed.`, {
        hint: `When the node is back: docker stack rm, then docker volume ls --filter label=com.docker.stack.namespace on that node.`,
      });
    }
  }

  private client(id: string, endpoint: EngineEndpoint, hostname: string): Docker {
    let docker = this.clients.get(id);
    if (!docker) {
      docker = dockerAt(endpoint, `stack.nodeEngines.${hostname}`);
      this.clients.set(id, docker);
    }
    return docker;
  }
}
