import type Docker from 'dockerode';
import type { ServiceUsage } from '../../model/stack.js';

/**
 * One sample of the running containers' memory and CPU, summed per service, from the Engine's
 * stats (`stream: false`: the engine reads two samples about a second apart, so the CPU share is
 * this call's own). Memory is what `docker stats` shows: usage less the inactive page cache.
 * Limits (`mem_limit`) come from each container's HostConfig, inspected once per container.
 */
export class ContainerUsage {
  private readonly limits = new Map<string, Promise<number>>();

  constructor(
    private readonly docker: Docker,
    /** The label naming a container's service (compose's, or the swarm's). */
    private readonly serviceLabel: string,
  ) {}

  async sample(containers: readonly Docker.ContainerInfo[]): Promise<ServiceUsage[]> {
    const running = containers.filter((c) => c.State === 'running');
    const samples = await Promise.all(running.map((c) => this.one(c)));
    return mergeUsage(samples.filter((x): x is ServiceUsage => x !== null));
  }

  private async one(info: Docker.ContainerInfo): Promise<ServiceUsage | null> {
    const service = info.Labels[this.serviceLabel];
    if (!service) return null;
    const container = this.docker.getContainer(info.Id);
    // A container that stopped between the list and its stats simply has no sample.
    const stats = await container.stats({ stream: false }).catch(() => null);
    if (!stats?.memory_stats?.usage) return null;
    const limit = await this.limitOf(info.Id);
    return { service, memoryBytes: memoryOf(stats), cpuPercent: cpuPercentOf(stats), ...(limit > 0 ? { memoryLimitBytes: limit } : {}) };
  }

  private limitOf(id: string): Promise<number> {
    let limit = this.limits.get(id);
    if (!limit) {
      limit = this.docker
        .getContainer(id)
        .inspect()
        .then((i) => i.HostConfig?.Memory ?? 0)
        .catch(() => 0);
      this.limits.set(id, limit);
    }
    return limit;
  }
}

/** Usage less the inactive page cache (cgroup v2 `inactive_file`, v1 `total_inactive_file`), as `docker stats`. */
function memoryOf(stats: Docker.ContainerStats): number {
  const m = stats.memory_stats;
  const cache = m.stats?.inactive_file ?? m.stats?.total_inactive_file ?? 0;
  return Math.max(0, m.usage - (cache < m.usage ? cache : 0));
}

/** CPU in percent of one core over the engine's two reads, as `docker stats`; null when it had no previous read. */
function cpuPercentOf(stats: Docker.ContainerStats): number | null {
  const cpu = stats.cpu_stats;
  const pre = stats.precpu_stats;
  if (!pre?.system_cpu_usage || !cpu?.system_cpu_usage) return null;
  const used = cpu.cpu_usage.total_usage - pre.cpu_usage.total_usage;
  const system = cpu.system_cpu_usage - pre.system_cpu_usage;
  if (system <= 0 || used < 0) return null;
  const cores = cpu.online_cpus || cpu.cpu_usage.percpu_usage?.length || 1;
  return Math.round((used / system) * cores * 1000) / 10;
}

/** Samples summed per service (several containers of one service, on one engine or several), sorted by service. */
export function mergeUsage(samples: readonly ServiceUsage[]): ServiceUsage[] {
  const byService = new Map<string, ServiceUsage>();
  for (const s of samples) {
    const sum = byService.get(s.service);
    if (!sum) {
      byService.set(s.service, { ...s });
      continue;
    }
    sum.memoryBytes += s.memoryBytes;
    sum.cpuPercent = sum.cpuPercent === null || s.cpuPercent === null ? (sum.cpuPercent ?? s.cpuPercent) : sum.cpuPercent + s.cpuPercent;
    if (sum.memoryLimitBytes !== undefined && s.memoryLimitBytes !== undefined) sum.memoryLimitBytes += s.memoryLimitBytes;
  }
  return [...byService.values()].sort((a, b) => a.service.localeCompare(b.service));
}
