import type { ServiceResources } from '../model/run-result.js';
import type { ServiceUsage } from '../model/stack.js';

/** Points kept per service for the report's chart: enough for a shape, small in summary.json. */
const SERIES_POINTS = 60;

interface Accumulated {
  samples: number;
  peakMemory: number;
  memorySum: number;
  limit?: number;
  cpuSamples: number;
  peakCpu: number;
  cpuSum: number;
  points: [number, number, number | null][];
}

/** The samples of a run, summed per service as they come: peak, mean, and a series for the chart. */
export class ResourceUsage {
  private readonly byService = new Map<string, Accumulated>();
  private firstAt: number | null = null;

  add(samples: readonly ServiceUsage[], at: number): void {
    this.firstAt ??= at;
    for (const s of samples) {
      const a = this.byService.get(s.service) ?? { samples: 0, peakMemory: 0, memorySum: 0, cpuSamples: 0, peakCpu: 0, cpuSum: 0, points: [] };
      a.samples++;
      a.peakMemory = Math.max(a.peakMemory, s.memoryBytes);
      a.memorySum += s.memoryBytes;
      if (s.memoryLimitBytes !== undefined) a.limit = s.memoryLimitBytes;
      if (s.cpuPercent !== null) {
        a.cpuSamples++;
        a.peakCpu = Math.max(a.peakCpu, s.cpuPercent);
        a.cpuSum += s.cpuPercent;
      }
      a.points.push([Math.round((at - this.firstAt) / 100) / 10, s.memoryBytes, s.cpuPercent]);
      this.byService.set(s.service, a);
    }
  }

  /** The peak memory of a service so far (0 before its first sample). */
  peakMemory(service: string): number {
    return this.byService.get(service)?.peakMemory ?? 0;
  }

  summary(): ServiceResources[] {
    return [...this.byService]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([service, a]) => ({
        service,
        samples: a.samples,
        memory: { peakBytes: a.peakMemory, meanBytes: Math.round(a.memorySum / a.samples), ...(a.limit === undefined ? {} : { limitBytes: a.limit }) },
        cpu: a.cpuSamples === 0 ? null : { peakPercent: a.peakCpu, meanPercent: Math.round((a.cpuSum / a.cpuSamples) * 10) / 10 },
        series: thin(a.points),
      }));
  }
}

/** At most SERIES_POINTS points, evenly picked, the first and the last kept. */
function thin<T>(points: T[]): T[] {
  if (points.length <= SERIES_POINTS) return points;
  const step = (points.length - 1) / (SERIES_POINTS - 1);
  return Array.from({ length: SERIES_POINTS }, (_, i) => points[Math.round(i * step)] as T);
}
