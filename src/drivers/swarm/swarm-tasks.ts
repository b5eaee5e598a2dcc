import type Docker from 'dockerode';
import type { Clock } from '../../common/clock.js';
import { RgStepError, errorMessage } from '../../common/errors.js';
import type { ServiceStatus, StackEvent } from '../../model/stack.js';
import { mapHealth } from '../compose/container-status.js';
import { watchContainerEvents } from '../docker/engine-api.js';
import { EngineReadCache, inspectKey } from '../docker/engine-read-cache.js';
import type { SwarmNodes } from './swarm-nodes.js';
import { slotStatuses, type TaskLike } from './task-status.js';

/** A task container, with the node whose engine holds it. */
export type NodeContainer = Docker.ContainerInfo & { nodeId: string; node: string };

/** Label `docker stack deploy` puts on the stack's services, task containers, networks and volumes. */
export const STACK_LABEL = 'com.docker.stack.namespace';
export const SERVICE_NAME_LABEL = 'com.docker.swarm.service.name';

/**
 * A swarm stack's services seen through their tasks (Engine API): a slot per replica, a
 * replaced failed task counted as a restart, the task container's health; the container
 * events; the running task of a service. Tasks are the manager's to list; a task's container is
 * read in the engine of the node it runs on (SwarmNodes). While a watch is open, a task
 * container is inspected again only after an event of its own (EngineReadCache, one per
 * engine); the task lists are read each time.
 */
export class SwarmTasks {
  private readonly caches = new Map<string, EngineReadCache>();
  private readonly watchers = new Set<() => void>();
  /** Replaced failed tasks seen per slot: swarm prunes task history (5 per slot), a restart seen stays counted. */
  private readonly failures = new Map<string, Set<string>>();
  /** The node each counted failure ran on, by task id. */
  private readonly failedNode = new Map<string, string>();
  private readonly oomByTask = new Map<string, boolean>();

  constructor(
    private readonly docker: Docker,
    private readonly stackName: string,
    private readonly only: string[] | undefined,
    private readonly nodes: SwarmNodes,
  ) {}

  private cacheOf(nodeId: string): EngineReadCache {
    let cache = this.caches.get(nodeId);
    if (!cache) {
      cache = new EngineReadCache();
      this.caches.set(nodeId, cache);
    }
    return cache;
  }

  /** `app` for the stack's `<stack>_app`. */
  shortName(full: string): string {
    return full.startsWith(`${this.stackName}_`) ? full.slice(this.stackName.length + 1) : full;
  }

  async listServices(): Promise<Docker.Service[]> {
    return this.docker.listServices({ filters: { label: [`${STACK_LABEL}=${this.stackName}`] } });
  }

  /**
   * The stack's task containers on every node, each with its node (id and hostname). `strict`: a
   * node whose engine does not answer is a step error naming it (what it holds is unknown, never
   * "none"); otherwise it is left out (the manager's tasks still tell their state).
   */
  async stackContainers(strict: boolean): Promise<NodeContainer[]> {
    const perEngine = await Promise.all(
      (await this.nodes.engines()).map(async ({ node, docker }) =>
        (await docker.listContainers({ all: true, filters: { label: [`${STACK_LABEL}=${this.stackName}`] } }).catch((err: unknown) => {
          if (node.self) throw err;
          if (strict) throw new RgStepError(`The engine of node ${node.hostname} (${node.endpoint ?? '?'}) does not answer: its containers of stack ${this.stackName} cannot be listed (${errorMessage(err)}).`);
          return [];
        })).map((c) => ({ ...c, nodeId: node.id, node: node.hostname })),
      ),
    );
    return perEngine.flat();
  }

  /** The stack's volumes on every node the gate reaches (a local volume belongs to its node). */
  async stackVolumes(): Promise<{ docker: Docker; node: string; volume: Docker.VolumeInspectInfo }[]> {
    const perEngine = await Promise.all(
      (await this.nodes.engines()).map(async ({ node, docker }) => {
        const listed = await docker.listVolumes({ filters: { label: [`${STACK_LABEL}=${this.stackName}`] } }).catch((err: unknown) => {
          // Volumes are the node's: one that does not answer may hold some, and nothing says it does not.
          throw new RgStepError(`The engine of node ${node.hostname} (${node.endpoint ?? '?'}) does not answer: the stack's volumes there cannot be listed (${errorMessage(err)}).`, {
            hint: `Start that node's engine, then remove them: docker volume ls --filter label=${STACK_LABEL}=${this.stackName}.`,
          });
        });
        return (listed.Volumes ?? []).map((volume) => ({ docker, node: node.hostname, volume }));
      }),
    );
    return perEngine.flat();
  }

  /** Each wanted service's slots as ServiceStatus; `unknown` for a service not deployed. */
  async services(wanted: readonly string[] | null, oneShot: ReadonlySet<string>): Promise<ServiceStatus[]> {
    const services = await this.listServices();
    const names = this.only ?? wanted ?? services.map((s) => this.shortName(s.Spec?.Name ?? '')).sort();
    const ids = services.map((s) => s.ID);
    const tasks = ids.length > 0 ? ((await this.docker.listTasks({ filters: { service: ids } })) as (TaskLike & { ServiceID?: string })[]) : [];
    const nodes = await this.nodes.list();
    // A node that is down took its tasks with it: the manager replaces them (a restart), though they never "failed".
    const downNodes = new Set(nodes.filter((n) => n.state !== 'ready').map((n) => n.id));
    const several = nodes.length > 1;
    const out: ServiceStatus[] = [];
    for (const name of names) {
      const svc = services.find((s) => s.Spec?.Name === `${this.stackName}_${name}`);
      if (!svc) {
        out.push({ name, state: 'unknown', health: 'none', restartCount: 0, oomKilled: false, exitCode: null, startedAt: null });
        continue;
      }
      const replicated = (svc.Spec?.Mode as { Replicated?: { Replicas?: number } } | undefined)?.Replicated;
      const own = tasks.filter((t) => t.ServiceID === svc.ID);
      for (const slot of slotStatuses(name, own, replicated ? (replicated.Replicas ?? 1) : null, downNodes)) {
        const key = `${name}/${slot.slot}`;
        const seen = this.failures.get(key) ?? new Set<string>();
        for (const id of slot.replacedFailures) {
          seen.add(id);
          const on = this.nodes.node(own.find((t) => t.ID === id)?.NodeID)?.hostname;
          if (on !== undefined && !this.failedNode.has(id)) this.failedNode.set(id, on);
        }
        this.failures.set(key, seen);
        let health: ServiceStatus['health'] = 'none';
        let oomKilled = false;
        let startedAt = slot.startedAt;
        if (slot.containerId) {
          const id = slot.containerId;
          const node = this.nodes.node(slot.nodeId ?? undefined);
          const engine = node?.engine ?? null;
          let unreachable = engine === null;
          const info = engine
            ? await this.cacheOf(slot.nodeId ?? '')
                .read(inspectKey(id), () => engine.getContainer(id).inspect())
                .catch((err: unknown) => {
                  // No HTTP status: the engine did not answer at all (its node down or cut off), not "no such container".
                  unreachable = (err as { statusCode?: number }).statusCode === undefined && node?.self !== true;
                  return null;
                })
            : null;
          // A task the manager calls running on a node whose engine does not answer is not known to run: never a green.
          if (unreachable && slot.state === 'running') slot.state = 'unknown';
          if (info) {
            health = mapHealth(info.State?.Health?.Status);
            oomKilled = info.State?.OOMKilled ?? false;
            if (slot.state === 'running' && info.State?.StartedAt && !info.State.StartedAt.startsWith('0001')) startedAt = new Date(info.State.StartedAt);
          }
        }
        for (const taskId of seen) oomKilled = (await this.replacedOom(own, taskId)) || oomKilled;
        const status: ServiceStatus = { name: slot.name, state: slot.state, health, restartCount: seen.size, oomKilled, exitCode: slot.exitCode, startedAt };
        // Where it runs, and where its restarts happened: what a reader of a multi-node failure needs.
        const on = several || slot.state === 'unknown' ? this.nodes.node(slot.nodeId ?? undefined)?.hostname : undefined;
        if (on !== undefined) status.node = on;
        const failedOn = several ? [...new Set([...seen].map((t) => this.failedNode.get(t)).filter((n): n is string => n !== undefined))] : [];
        if (failedOn.length > 0) status.failedOn = failedOn;
        out.push(oneShot.has(name) ? { ...status, oneShot: true } : status);
      }
    }
    return out;
  }

  /** Whether a replaced task's container was OOM-killed (inspected once: a terminal task does not change). */
  private async replacedOom(tasks: TaskLike[], taskId: string): Promise<boolean> {
    const known = this.oomByTask.get(taskId);
    if (known !== undefined) return known;
    const task = tasks.find((t) => t.ID === taskId);
    const id = task?.Status?.ContainerStatus?.ContainerID;
    const engine = this.nodes.node(task?.NodeID)?.engine ?? null;
    let lost = id === undefined || engine === null;
    const info = id && engine
      ? await engine.getContainer(id).inspect().catch((err: unknown) => {
          lost = (err as { statusCode?: number }).statusCode === 404;
          return null;
        })
      : null;
    const oom = info?.State?.OOMKilled ?? false;
    // Known, or never knowable (pruned from the task history, its container removed): kept. An engine that did not answer is asked again.
    if (info || lost) this.oomByTask.set(taskId, oom);
    return oom;
  }

  /**
   * The task containers' events as they happen, from every node's engine, and a node that goes
   * down while it runs tasks of the stack (the manager's node list, polled: an engine that stops
   * sends no event of its own).
   */
  async watch(onEvent: (event: StackEvent) => void, clock: Clock): Promise<() => void> {
    const only = this.only ? new Set(this.only) : null;
    const serviceOf = (full: string | undefined) => {
      if (full === undefined || !full.startsWith(`${this.stackName}_`)) return undefined;
      const svc = this.shortName(full);
      return only === null || only.has(svc) ? svc : undefined;
    };
    const engines = await this.nodes.engines();
    const several = (await this.nodes.list()).length > 1;
    const stops: (() => void)[] = [];
    for (const { node, docker } of engines) {
      // A task container's die is the failure; the replacement task's start follows (no "restart" event in swarm).
      const stop = await watchContainerEvents(
        docker,
        `${STACK_LABEL}=${this.stackName}`,
        (attrs) => serviceOf(attrs[SERVICE_NAME_LABEL]),
        (event) => onEvent(several ? { ...event, node: node.hostname } : event),
        this.watchers,
        this.cacheOf(node.id),
      ).catch((err: unknown) => {
        if (node.self) throw err;
        return () => undefined; // its engine is gone already: the node watch says so
      });
      stops.push(stop);
    }
    if (several) stops.push(watchNodesDown(this.nodes, () => this.tasksByNode(serviceOf), onEvent, clock));
    const stopAll = () => {
      for (const stop of stops) stop();
      this.watchers.delete(stopAll);
    };
    this.watchers.add(stopAll);
    return stopAll;
  }

  /** Which of the stack's services have a task meant to run on each node. */
  private async tasksByNode(serviceOf: (full: string | undefined) => string | undefined): Promise<Map<string, Set<string>>> {
    const services = await this.listServices();
    const ids = services.map((s) => s.ID);
    const tasks = ids.length > 0 ? ((await this.docker.listTasks({ filters: { service: ids } })) as (TaskLike & { ServiceID?: string })[]) : [];
    const byNode = new Map<string, Set<string>>();
    for (const t of tasks) {
      if (t.NodeID === undefined || t.Status?.State !== 'running') continue;
      const svc = serviceOf(services.find((s) => s.ID === t.ServiceID)?.Spec?.Name);
      if (svc === undefined) continue;
      byNode.set(t.NodeID, (byNode.get(t.NodeID) ?? new Set()).add(svc));
    }
    return byNode;
  }

  /** The service's running task: its container and the engine it is in; a step error when there is none. */
  async runningTask(service: string): Promise<{ containerId: string; docker: Docker; node: string; endpoint: string | undefined }> {
    const svc = (await this.listServices()).find((s) => s.Spec?.Name === `${this.stackName}_${service}`);
    const tasks = svc ? ((await this.docker.listTasks({ filters: { service: [svc.ID] } })) as TaskLike[]) : [];
    const running = tasks.find((t) => t.DesiredState === 'running' && t.Status?.State === 'running' && t.Status.ContainerStatus?.ContainerID);
    if (!running?.Status?.ContainerStatus?.ContainerID) {
      const states = tasks.map((t) => t.Status?.State ?? '?').join(', ') || (svc ? 'no task' : 'no such service');
      throw new RgStepError(`Service "${service}" of stack ${this.stackName} has no running task (${states}).`, {
        hint: `Check the up and ps logs; \`docker service ps ${this.stackName}_${service} --no-trunc\` shows why its tasks stopped.`,
      });
    }
    const docker = await this.nodes.engineOf(running.NodeID);
    const node = this.nodes.node(running.NodeID);
    return { containerId: running.Status.ContainerStatus.ContainerID, docker, node: node?.hostname ?? '?', endpoint: node?.endpoint ?? undefined };
  }

  /** Stops every watch still open. */
  close(): void {
    for (const stop of [...this.watchers]) stop();
  }
}

/** How often the node list is read while a multi-node stack is watched. */
const NODE_POLL_MS = 2000;

/**
 * Polls the swarm's nodes; when one that ran tasks of the stack leaves `ready`, each of those
 * services gets a `restart` event naming the node: its tasks are gone and the manager replaces
 * them elsewhere (or waits for the node). Returns the stop function.
 */
function watchNodesDown(nodes: SwarmNodes, tasksByNode: () => Promise<Map<string, Set<string>>>, onEvent: (event: StackEvent) => void, clock: Clock): () => void {
  const stopped = new AbortController();
  const wasDown = new Set<string>();
  let running = new Map<string, Set<string>>();
  const loop = async () => {
    while (!stopped.signal.aborted) {
      try {
        const list = await nodes.list();
        for (const n of list) {
          const down = n.state !== 'ready';
          if (down && !wasDown.has(n.id)) {
            // A read that ended after the watch was stopped reports nothing: the verdict is given.
            for (const service of stopped.signal.aborted ? [] : (running.get(n.id) ?? [])) {
              onEvent({ at: new Date(clock.now()), service, kind: 'restart', node: n.hostname, detail: `the node went ${n.state}: its task is rescheduled` });
            }
          }
          if (down) wasDown.add(n.id);
          else wasDown.delete(n.id);
        }
        // Taken after the check: the tasks a node had before it went down.
        running = await tasksByNode();
      } catch {
        // The manager did not answer this time: the next read tells.
      }
      await clock.sleep(NODE_POLL_MS, stopped.signal).catch(() => undefined);
    }
  };
  void loop();
  return () => stopped.abort();
}
