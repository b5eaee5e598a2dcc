import type Docker from 'dockerode';
import { RgStepError } from '../../common/errors.js';
import type { ServiceStatus, StackEvent } from '../../model/stack.js';
import { mapHealth } from '../compose/container-status.js';
import { watchContainerEvents } from '../docker/engine-api.js';
import { EngineReadCache, inspectKey } from '../docker/engine-read-cache.js';
import { slotStatuses, type TaskLike } from './task-status.js';

/** Label `docker stack deploy` puts on the stack's services, task containers, networks and volumes. */
export const STACK_LABEL = 'com.docker.stack.namespace';
export const SERVICE_NAME_LABEL = 'com.docker.swarm.service.name';

/**
 * A swarm stack's services seen through their tasks (Engine API): a slot per replica, a
 * replaced failed task counted as a restart, the task container's health; the container
 * events; the running task of a service. While a watch is open, a task container is inspected
 * again only after an event of its own (EngineReadCache); the task lists are read each time.
 */
export class SwarmTasks {
  private readonly cache = new EngineReadCache();
  private readonly watchers = new Set<() => void>();
  /** Replaced failed tasks seen per slot: swarm prunes task history (5 per slot), a restart seen stays counted. */
  private readonly failures = new Map<string, Set<string>>();
  private readonly oomByTask = new Map<string, boolean>();

  constructor(
    private readonly docker: Docker,
    private readonly stackName: string,
    private readonly only: string[] | undefined,
  ) {}

  /** `app` for the stack's `<stack>_app`. */
  shortName(full: string): string {
    return full.startsWith(`${this.stackName}_`) ? full.slice(this.stackName.length + 1) : full;
  }

  async listServices(): Promise<Docker.Service[]> {
    return this.docker.listServices({ filters: { label: [`${STACK_LABEL}=${this.stackName}`] } });
  }

  async stackContainers(): Promise<Docker.ContainerInfo[]> {
    return this.docker.listContainers({ all: true, filters: { label: [`${STACK_LABEL}=${this.stackName}`] } });
  }

  /** Each wanted service's slots as ServiceStatus; `unknown` for a service not deployed. */
  async services(wanted: readonly string[] | null, oneShot: ReadonlySet<string>): Promise<ServiceStatus[]> {
    const services = await this.listServices();
    const names = this.only ?? wanted ?? services.map((s) => this.shortName(s.Spec?.Name ?? '')).sort();
    const ids = services.map((s) => s.ID);
    const tasks = ids.length > 0 ? ((await this.docker.listTasks({ filters: { service: ids } })) as TaskLike[] & { ServiceID?: string }[]) : [];
    const out: ServiceStatus[] = [];
    for (const name of names) {
      const svc = services.find((s) => s.Spec?.Name === `${this.stackName}_${name}`);
      if (!svc) {
        out.push({ name, state: 'unknown', health: 'none', restartCount: 0, oomKilled: false, exitCode: null, startedAt: null });
        continue;
      }
      const replicated = (svc.Spec?.Mode as { Replicated?: { Replicas?: number } } | undefined)?.Replicated;
      const own = tasks.filter((t) => (t as { ServiceID?: string }).ServiceID === svc.ID);
      for (const slot of slotStatuses(name, own, replicated ? (replicated.Replicas ?? 1) : null)) {
        const key = `${name}/${slot.slot}`;
        const seen = this.failures.get(key) ?? new Set<string>();
        for (const id of slot.replacedFailures) seen.add(id);
        this.failures.set(key, seen);
        let health: ServiceStatus['health'] = 'none';
        let oomKilled = false;
        let startedAt = slot.startedAt;
        if (slot.containerId) {
          const id = slot.containerId;
          const info = await this.cache.read(inspectKey(id), () => this.docker.getContainer(id).inspect()).catch(() => null);
          if (info) {
            health = mapHealth(info.State?.Health?.Status);
            oomKilled = info.State?.OOMKilled ?? false;
            if (slot.state === 'running' && info.State?.StartedAt && !info.State.StartedAt.startsWith('0001')) startedAt = new Date(info.State.StartedAt);
          }
        }
        for (const taskId of seen) oomKilled = (await this.replacedOom(own, taskId)) || oomKilled;
        const status: ServiceStatus = { name: slot.name, state: slot.state, health, restartCount: seen.size, oomKilled, exitCode: slot.exitCode, startedAt };
        out.push(oneShot.has(name) ? { ...status, oneShot: true } : status);
      }
    }
    return out;
  }

  /** Whether a replaced task's container was OOM-killed (inspected once: a terminal task does not change). */
  private async replacedOom(tasks: TaskLike[], taskId: string): Promise<boolean> {
    const known = this.oomByTask.get(taskId);
    if (known !== undefined) return known;
    const id = tasks.find((t) => t.ID === taskId)?.Status?.ContainerStatus?.ContainerID;
    const info = id ? await this.docker.getContainer(id).inspect().catch(() => null) : null;
    const oom = info?.State?.OOMKilled ?? false;
    // Pruned from the task history or its container removed: nothing more will ever be known.
    this.oomByTask.set(taskId, oom);
    return oom;
  }

  /** The task containers' events as they happen. */
  watch(onEvent: (event: StackEvent) => void): Promise<() => void> {
    const only = this.only ? new Set(this.only) : null;
    // A task container's die is the failure; the replacement task's start follows (no "restart" event in swarm).
    return watchContainerEvents(
      this.docker,
      `${STACK_LABEL}=${this.stackName}`,
      (attrs) => {
        const full = attrs[SERVICE_NAME_LABEL];
        if (full === undefined || !full.startsWith(`${this.stackName}_`)) return undefined;
        const svc = this.shortName(full);
        return only === null || only.has(svc) ? svc : undefined;
      },
      onEvent,
      this.watchers,
      this.cache,
    );
  }

  /** The container of the service's running task; a step error when there is none. */
  async runningContainerId(service: string): Promise<string> {
    const svc = (await this.listServices()).find((s) => s.Spec?.Name === `${this.stackName}_${service}`);
    const tasks = svc ? ((await this.docker.listTasks({ filters: { service: [svc.ID] } })) as TaskLike[]) : [];
    const running = tasks.find((t) => t.DesiredState === 'running' && t.Status?.State === 'running' && t.Status.ContainerStatus?.ContainerID);
    if (!running?.Status?.ContainerStatus?.ContainerID) {
      const states = tasks.map((t) => t.Status?.State ?? '?').join(', ') || (svc ? 'no task' : 'no such service');
      throw new RgStepError(`Service "${service}" of stack ${this.stackName} has no running task (${states}).`, {
        hint: `Check the up and ps logs; \`docker service ps ${this.stackName}_${service} --no-trunc\` shows why its tasks stopped.`,
      });
    }
    return running.Status.ContainerStatus.ContainerID;
  }

  /** Stops every watch still open. */
  close(): void {
    for (const stop of [...this.watchers]) stop();
  }
}
