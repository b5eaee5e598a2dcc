import type Docker from 'dockerode';
import { RgStepError } from '../../common/errors.js';
import type { ServiceStatus, StackEvent } from '../../model/stack.js';
import { EngineReadCache, LIST_KEY, inspectKey } from '../docker/engine-read-cache.js';
import { watchComposeProject } from './compose-watch.js';
import { CONTAINER_NUMBER_LABEL, ONEOFF_LABEL, PROJECT_LABEL, SERVICE_LABEL } from './compose-project.js';
import { toServiceStatus } from './container-status.js';

const unknownStatus = (name: string): ServiceStatus => ({ name, state: 'unknown', health: 'none', restartCount: 0, oomKilled: false, exitCode: null, startedAt: null });

/**
 * A compose project's containers through the Engine API: their state per service, the event
 * watch, the running container of a service. While a watch is open, services() asks the engine
 * only about the containers an event named since its last call (EngineReadCache).
 */
export class ComposeContainers {
  private readonly cache = new EngineReadCache();
  private readonly watchers = new Set<() => void>();

  constructor(
    private readonly docker: Docker,
    private readonly projectName: string,
    /** Only these services; all when absent. */
    private readonly only: string[] | undefined,
  ) {}

  /** The project's containers, one-off ones (`run`) and foreign ones started from its images left out. */
  async list(): Promise<Docker.ContainerInfo[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [`${PROJECT_LABEL}=${this.projectName}`] } });
    return list.filter((c) => c.Labels[ONEOFF_LABEL] !== 'True' && c.Labels[CONTAINER_NUMBER_LABEL] !== undefined);
  }

  /** Each wanted service's containers as ServiceStatus (`svc-2` for a second replica); `unknown` for a service without one. */
  async services(wanted: readonly string[] | null, oneShot: ReadonlySet<string>): Promise<ServiceStatus[]> {
    const containers = await this.cache.read(LIST_KEY, () => this.list());
    const byService = new Map<string, Docker.ContainerInfo[]>();
    for (const c of containers) {
      const svc = c.Labels[SERVICE_LABEL];
      if (svc === undefined) continue;
      byService.set(svc, [...(byService.get(svc) ?? []), c]);
    }
    const out: ServiceStatus[] = [];
    for (const svc of this.only ?? wanted ?? [...byService.keys()].sort()) {
      const list = (byService.get(svc) ?? []).sort((a, b) => Number(a.Labels[CONTAINER_NUMBER_LABEL] ?? 0) - Number(b.Labels[CONTAINER_NUMBER_LABEL] ?? 0));
      if (list.length === 0) {
        out.push(unknownStatus(svc));
        continue;
      }
      for (const c of list) {
        const name = list.length === 1 ? svc : `${svc}-${c.Labels[CONTAINER_NUMBER_LABEL] ?? c.Id.slice(0, 12)}`;
        try {
          const status = toServiceStatus(name, await this.cache.read(inspectKey(c.Id), () => this.docker.getContainer(c.Id).inspect()));
          out.push(oneShot.has(svc) ? { ...status, oneShot: true } : status);
        } catch {
          // Removed between list and inspect: nothing left to observe, so its state is unknown.
          out.push(unknownStatus(name));
        }
      }
    }
    return out;
  }

  /** The project's events as they happen, plus the health poll (compose-watch.ts). */
  watch(onEvent: (event: StackEvent) => void): Promise<() => void> {
    return watchComposeProject({ docker: this.docker, project: this.projectName, services: this.only, list: () => this.list(), onEvent, open: this.watchers, cache: this.cache });
  }

  /** The id of the service's running container (any state with anyState); a step error when there is none. */
  async runningContainerId(service: string, anyState = false): Promise<string> {
    const list = (await this.list()).filter((c) => c.Labels[SERVICE_LABEL] === service);
    const pick = list.find((c) => c.State === 'running') ?? (anyState ? list[0] : undefined);
    if (!pick) {
      const states = list.map((c) => c.State).join(', ') || 'no container';
      throw new RgStepError(`Service "${service}" of project ${this.projectName} is not running (${states}).`, {
        hint: 'Check the up and ps logs; `docker compose logs` shows why it stopped.',
      });
    }
    return pick.Id;
  }

  /** Stops every watch still open. */
  close(): void {
    for (const stop of [...this.watchers]) stop();
  }
}
