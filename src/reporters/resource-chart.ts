import { formatBytes } from '../common/safe-file.js';
import type { RunResult, ServiceResources } from '../model/run-result.js';

/** Header and rows of the resources table (service, peak/mean memory, limit, mean/peak CPU, samples). */
export const RESOURCES_HEADER = ['Service', 'Memory peak', 'Memory mean', 'Limit', 'CPU mean', 'CPU peak', 'Samples'];

export function resourceRows(result: RunResult): string[][] {
  return serviceResources(result).map((r) => [
    r.service,
    formatBytes(r.memory.peakBytes),
    formatBytes(r.memory.meanBytes),
    r.memory.limitBytes === undefined ? '' : formatBytes(r.memory.limitBytes),
    r.cpu === null ? '' : `${r.cpu.meanPercent}%`,
    r.cpu === null ? '' : `${r.cpu.peakPercent}%`,
    String(r.samples),
  ]);
}

function serviceResources(result: RunResult): ServiceResources[] {
  return result.steps.flatMap((s) => s.resources ?? []);
}

const WIDTH = 160;
const HEIGHT = 28;

/**
 * A sparkline of one service's memory over the run (and its CPU, dashed, on its own scale):
 * inline SVG, no script, no external file, so the report stays one file that opens anywhere.
 */
export function sparkline(r: ServiceResources): string {
  const points = r.series;
  if (points.length < 2) return '';
  const span = Math.max(1e-9, (points.at(-1) as [number, number, number | null])[0] - (points[0] as [number, number, number | null])[0]);
  const x = (t: number) => (((t - (points[0] as [number, number, number | null])[0]) / span) * (WIDTH - 2) + 1).toFixed(1);
  const line = (values: (number | null)[]) => {
    const top = Math.max(1e-9, ...values.map((v) => v ?? 0));
    return points
      .map((p, i) => (values[i] === null ? null : `${x(p[0])},${(HEIGHT - 1 - ((values[i] as number) / top) * (HEIGHT - 2)).toFixed(1)}`))
      .filter((p): p is string => p !== null)
      .join(' ');
  };
  const memory = line(points.map((p) => p[1]));
  const cpu = r.cpu === null ? '' : `<polyline fill="none" stroke="#888" stroke-dasharray="2 2" points="${line(points.map((p) => p[2]))}"/>`;
  return `<svg width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="memory and CPU of ${escapeXml(r.service)} over the run"><polyline fill="none" stroke="#2563eb" points="${memory}"/>${cpu}</svg>`;
}

/** The report's Resources section: the table, and a chart per service. */
export function resourcesSection(result: RunResult, escape: (text: string) => string): string {
  const services = serviceResources(result);
  if (services.length === 0) return '';
  const rows = resourceRows(result).map((row, i) => `<tr>${row.map((c) => `<td>${escape(c)}</td>`).join('')}<td>${sparkline(services[i] as ServiceResources)}</td></tr>`);
  return `<h2>Resources</h2>\n<p>Memory (line) and CPU (dashed) over the run, each on its own scale.</p>\n<table>\n<tr>${[...RESOURCES_HEADER, 'Over the run'].map((h) => `<th>${escape(h)}</th>`).join('')}</tr>\n${rows.join('\n')}\n</table>\n`;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
