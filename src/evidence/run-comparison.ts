import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration } from '../common/duration.js';
import { RgUsageError, errorMessage } from '../common/errors.js';
import { growthPct } from '../common/byte-size.js';
import { EVIDENCE_JSON_MAX_BYTES, formatBytes, parseJsonQuietly, readRegularText } from '../common/safe-file.js';
import { firstShapeProblem, manifestShape, runSummaryShape } from './run-summary-shape.js';
import { MANIFEST_FILE, type RunManifest } from '../model/manifest.js';
import type { CriterionResult, RunResult } from '../model/run-result.js';

/** Below this much, a slower step is timer noise, whatever the percentage (a 5 ms call at 7 ms is +40%). */
export const MIN_SLOWDOWN_MS = 50;

export interface RunSide {
  dir: string;
  verdict: string;
  complete: boolean;
  startedAt: string;
  commit?: string;
}

type CriterionState = 'passed' | 'failed' | 'not selected' | 'not judged' | 'absent';

export interface RunComparison {
  a: RunSide;
  b: RunSide;
  criteria: { id: string; title: string; a: CriterionState; b: CriterionState; regression: boolean }[];
  steps: { id: string; log: string; aMs?: number; bMs?: number; deltaPct?: number; regression: boolean }[];
  counts: { key: string; a?: number; b?: number }[];
  latency: { log: string; step: string; a?: { p50Ms: number; p95Ms: number; maxMs: number }; b?: { p50Ms: number; p95Ms: number; maxMs: number }; p95DeltaPct?: number; regression: boolean }[];
  /** Each sampled service's peak memory and mean CPU in A and B (the resources step), with the memory growth. */
  resources: { service: string; peakA?: number; peakB?: number; memoryGrowthPct?: number; cpuMeanA?: number; cpuMeanB?: number }[];
  /** Services whose image digest (or build output hash) changed; with the image sizes when both manifests have them. */
  images: { service: string; a?: string; b?: string; sizeA?: number; sizeB?: number; growthPct?: number }[];
  /** Why B is worse than A, one line each; empty when it is not. */
  regressions: string[];
  maxSlowdownPct: number | null;
}

/** `20%` or `20` → 20; bad usage otherwise. */
export function parsePercent(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  if (!m) throw new RgUsageError(`--max-slowdown: "${text}" is not a percentage.`, 'Use e.g. 20% (a step or an E2E p95 more than 20% slower is a regression).');
  return Number(m[1]);
}

interface LoadedRun {
  dir: string;
  result: RunResult;
  manifest: RunManifest | null;
}

function loadRun(dir: string, which: string): LoadedRun {
  const file = join(dir, 'summary.json');
  if (!existsSync(file)) throw new RgUsageError(`${which}: no summary.json in ${dir}.`, 'Give the log dir of a run (LOG_DIR / --log-dir).');
  // A FIFO, a device, a huge file or a symlink out of the dir is refused before it is opened (exit 2).
  const text = readRegularText(file, { maxBytes: EVIDENCE_JSON_MAX_BYTES, within: dir, what: `${which}: summary` });
  let value: unknown;
  try {
    value = parseJsonQuietly(text);
  } catch (err) {
    throw new RgUsageError(`${which}: ${file} is ${errorMessage(err)}.`, 'Give the log dir of a release-gate run.');
  }
  const problem = firstShapeProblem(runSummaryShape, value);
  if (problem) throw new RgUsageError(`${which}: ${file} is not a release-gate summary (${problem}).`, 'Give the log dir of a release-gate run: its summary.json is written by `release-gate run`.');
  const result = value as RunResult;
  const manifestFile = join(dir, MANIFEST_FILE);
  let manifest: RunManifest | null = null;
  if (existsSync(manifestFile)) {
    const manifestText = readRegularText(manifestFile, { maxBytes: EVIDENCE_JSON_MAX_BYTES, within: dir, what: `${which}: ${MANIFEST_FILE}` });
    try {
      const parsed = parseJsonQuietly(manifestText);
      // Without a usable manifest the comparison still has the summary; images are just unknown.
      manifest = firstShapeProblem(manifestShape, parsed) === null ? (parsed as RunManifest) : null;
    } catch {
      manifest = null;
    }
  }
  return { dir, result, manifest };
}

function criterionState(c: CriterionResult | undefined): CriterionState {
  if (!c) return 'absent';
  return c.notSelected ? 'not selected' : c.notJudged ? 'not judged' : c.passed ? 'passed' : 'failed';
}

function pct(a: number, b: number): number | undefined {
  return growthPct(b, a) ?? undefined;
}

function slower(a: number, b: number, maxPct: number | null): boolean {
  return maxPct !== null && b - a >= MIN_SLOWDOWN_MS && (pct(a, b) ?? 0) > maxPct;
}

/** Peak memory and mean CPU of each service either run sampled. */
function resourcesOf(a: RunResult, b: RunResult): RunComparison['resources'] {
  const sampled = (r: RunResult) => new Map(r.steps.flatMap((s) => s.resources ?? []).map((x) => [x.service, x]));
  const [ra, rb] = [sampled(a), sampled(b)];
  return [...new Set([...ra.keys(), ...rb.keys()])].sort().map((service) => {
    const [x, y] = [ra.get(service), rb.get(service)];
    const growth = x && y ? growthPct(y.memory.peakBytes, x.memory.peakBytes) : null;
    return {
      service,
      ...(x ? { peakA: x.memory.peakBytes } : {}),
      ...(y ? { peakB: y.memory.peakBytes } : {}),
      ...(growth === null ? {} : { memoryGrowthPct: growth }),
      ...(x?.cpu ? { cpuMeanA: x.cpu.meanPercent } : {}),
      ...(y?.cpu ? { cpuMeanB: y.cpu.meanPercent } : {}),
    };
  });
}

/** The size of a service's image in a manifest (its first image when it ran several). */
function sizeOf(manifest: RunManifest | null, service: string): number | undefined {
  const services = manifest && 'services' in manifest.stack ? manifest.stack.services : [];
  return services.find((s) => s.name === service && s.imageSize !== undefined)?.imageSize;
}

/** What identifies a service's code in a manifest: its image id, or the hash of its build outputs. */
function identities(manifest: RunManifest | null): Map<string, string> {
  const out = new Map<string, string>();
  const services = manifest && 'services' in manifest.stack ? manifest.stack.services : [];
  for (const s of services) {
    const id = s.imageId ?? s.buildOutputs?.map((o) => `${o.path}=${o.sha256 ?? 'absent'}`).join(',') ?? s.note ?? '';
    out.set(s.name, out.has(s.name) ? `${out.get(s.name)} ${id}` : id);
  }
  return out;
}

/** Compares run B with baseline A, from their log dirs. Throws RgUsageError when either is not a run. */
export function compareRuns(dirA: string, dirB: string, opts: { maxSlowdownPct?: number | null } = {}): RunComparison {
  return compareLoaded(loadRun(dirA, 'A'), loadRun(dirB, 'B'), opts.maxSlowdownPct ?? null);
}

export function compareLoaded(A: LoadedRun, B: LoadedRun, maxPct: number | null): RunComparison {
  const a = A.result;
  const b = B.result;
  const regressions: string[] = [];
  const side = (r: LoadedRun): RunSide => ({
    dir: r.dir,
    verdict: r.result.verdict,
    complete: r.result.complete,
    startedAt: r.result.startedAt,
    ...(r.manifest?.source.git ? { commit: r.manifest.source.git.commit } : {}),
  });
  if (a.verdict === 'passed' && b.verdict !== 'passed') regressions.push(`verdict: passed → ${b.verdict}`);

  const criteria: RunComparison['criteria'] = [];
  const ids = [...new Set([...a.criteria.map((c) => c.id), ...b.criteria.map((c) => c.id)])];
  for (const id of ids) {
    const ca = a.criteria.find((c) => c.id === id);
    const cb = b.criteria.find((c) => c.id === id);
    const sa = criterionState(ca);
    const sb = criterionState(cb);
    const regression = sa === 'passed' && sb !== 'passed';
    if (regression) regressions.push(`criterion ${cb?.title ?? ca?.title ?? id}: ${sa} → ${sb}${cb && !cb.passed ? ` (${cb.detail})` : ''}`);
    criteria.push({ id, title: cb?.title ?? ca?.title ?? id, a: sa, b: sb, regression });
  }

  const steps: RunComparison['steps'] = [];
  for (const id of [...new Set([...a.steps.map((s) => s.id), ...b.steps.map((s) => s.id)])]) {
    const sa = a.steps.find((s) => s.id === id);
    const sb = b.steps.find((s) => s.id === id);
    const entry: RunComparison['steps'][number] = { id, log: sb?.log ?? sa?.log ?? id, regression: false };
    if (sa?.durationMs !== undefined) entry.aMs = sa.durationMs;
    if (sb?.durationMs !== undefined) entry.bMs = sb.durationMs;
    if (entry.aMs !== undefined && entry.bMs !== undefined) {
      const delta = pct(entry.aMs, entry.bMs);
      if (delta !== undefined) entry.deltaPct = delta;
      entry.regression = slower(entry.aMs, entry.bMs, maxPct);
      if (entry.regression) regressions.push(`step ${entry.log}: ${formatDuration(entry.aMs)} → ${formatDuration(entry.bMs)} (+${entry.deltaPct}% > ${maxPct}%)`);
    }
    steps.push(entry);
  }

  const counts: RunComparison['counts'] = [];
  for (const key of [...new Set([...Object.keys(a.counts), ...Object.keys(b.counts)])].sort()) {
    const ca = a.counts[key];
    const cb = b.counts[key];
    if (ca === cb) continue;
    counts.push({ key, ...(ca === undefined ? {} : { a: ca }), ...(cb === undefined ? {} : { b: cb }) });
  }

  const latency: RunComparison['latency'] = [];
  const latencies = (r: RunResult) => r.steps.flatMap((s) => (s.latency?.steps ?? []).map((l) => ({ key: `${s.id}\0${l.step}`, log: s.log, l })));
  const la = latencies(a);
  const lb = latencies(b);
  for (const key of [...new Set([...la.map((x) => x.key), ...lb.map((x) => x.key)])]) {
    const xa = la.find((x) => x.key === key);
    const xb = lb.find((x) => x.key === key);
    const stats = (x: typeof xa) => (x ? { p50Ms: x.l.p50Ms, p95Ms: x.l.p95Ms, maxMs: x.l.maxMs } : undefined);
    const entry: RunComparison['latency'][number] = { log: (xb ?? xa)?.log ?? '', step: (xb ?? xa)?.l.step ?? '', regression: false };
    const sa = stats(xa);
    const sb = stats(xb);
    if (sa) entry.a = sa;
    if (sb) entry.b = sb;
    if (sa && sb) {
      const delta = pct(sa.p95Ms, sb.p95Ms);
      if (delta !== undefined) entry.p95DeltaPct = delta;
      entry.regression = slower(sa.p95Ms, sb.p95Ms, maxPct);
      if (entry.regression) regressions.push(`E2E ${entry.step} p95: ${formatDuration(sa.p95Ms)} → ${formatDuration(sb.p95Ms)} (+${entry.p95DeltaPct}% > ${maxPct}%)`);
    }
    latency.push(entry);
  }

  const images: RunComparison['images'] = [];
  const ia = identities(A.manifest);
  const ib = identities(B.manifest);
  for (const service of [...new Set([...ia.keys(), ...ib.keys()])].sort()) {
    const da = ia.get(service);
    const db = ib.get(service);
    if (da === db) continue;
    const sizeA = sizeOf(A.manifest, service);
    const sizeB = sizeOf(B.manifest, service);
    const growth = sizeB === undefined ? null : growthPct(sizeB, sizeA);
    images.push({
      service,
      ...(da === undefined ? {} : { a: da }),
      ...(db === undefined ? {} : { b: db }),
      ...(sizeA === undefined ? {} : { sizeA }),
      ...(sizeB === undefined ? {} : { sizeB }),
      ...(growth === null ? {} : { growthPct: growth }),
    });
  }

  return { a: side(A), b: side(B), criteria, steps, counts, latency, resources: resourcesOf(A.result, B.result), images, regressions, maxSlowdownPct: maxPct };
}

const ms = (v: number | undefined) => (v === undefined ? '–' : formatDuration(v));
const signed = (v: number | undefined) => (v === undefined ? '' : `${v > 0 ? '+' : ''}${v}%`);
const short = (v: string | undefined) => (v === undefined ? '–' : v.length > 24 ? `${v.slice(0, 23)}…` : v);
const mark = (s: CriterionState) => ({ passed: '✅', failed: '❌', 'not selected': '–', 'not judged': '–', absent: '∅' })[s];

/** The comparison for a terminal. */
export function formatComparison(c: RunComparison): string {
  const out: string[] = [];
  out.push(`A: ${c.a.dir} (${c.a.verdict}${c.a.complete ? '' : ', partial'}, ${c.a.startedAt}${c.a.commit ? `, ${c.a.commit.slice(0, 12)}` : ''})`);
  out.push(`B: ${c.b.dir} (${c.b.verdict}${c.b.complete ? '' : ', partial'}, ${c.b.startedAt}${c.b.commit ? `, ${c.b.commit.slice(0, 12)}` : ''})`);
  out.push('', 'criteria (A → B):');
  const changed = c.criteria.filter((x) => x.a !== x.b);
  for (const x of changed) out.push(`  ${mark(x.a)} → ${mark(x.b)} ${x.title}${x.regression ? '  REGRESSION' : ''}`);
  out.push(`  ${c.criteria.length - changed.length} unchanged`);
  out.push('', 'steps (duration A → B):');
  const width = Math.max(4, ...c.steps.map((s) => s.log.length));
  for (const s of c.steps) {
    if (s.aMs === undefined && s.bMs === undefined) continue;
    out.push(`  ${s.log.padEnd(width)}  ${ms(s.aMs).padStart(7)} → ${ms(s.bMs).padStart(7)}  ${signed(s.deltaPct).padStart(8)}${s.regression ? '  REGRESSION' : ''}`);
  }
  out.push('', 'counts (A → B):');
  if (c.counts.length === 0) out.push('  unchanged');
  for (const x of c.counts) out.push(`  ${x.key}: ${x.a ?? '–'} → ${x.b ?? '–'}`);
  if (c.latency.length > 0) {
    out.push('', 'E2E latency (A → B):');
    const w = Math.max(...c.latency.map((l) => l.step.length));
    for (const l of c.latency) {
      out.push(
        `  ${l.step.padEnd(w)}  p50 ${ms(l.a?.p50Ms)} → ${ms(l.b?.p50Ms)}  p95 ${ms(l.a?.p95Ms)} → ${ms(l.b?.p95Ms)} ${signed(l.p95DeltaPct)}  max ${ms(l.a?.maxMs)} → ${ms(l.b?.maxMs)}${l.regression ? '  REGRESSION' : ''}`,
      );
    }
  }
  if (c.resources.length > 0) {
    out.push('', 'resources (A → B):');
    for (const r of c.resources) out.push(`  ${r.service}: ${resourceLine(r)}`);
  }
  out.push('', 'images / build outputs (A → B):');
  if (c.images.length === 0) out.push('  unchanged');
  for (const i of c.images) out.push(`  ${i.service}: ${short(i.a)} → ${short(i.b)}${sizes(i)}`);
  out.push('');
  const threshold = c.maxSlowdownPct === null ? ' (durations not judged: no --max-slowdown)' : ` (--max-slowdown ${c.maxSlowdownPct}%)`;
  if (c.regressions.length === 0) out.push(`✅ NO REGRESSION${threshold}`);
  else out.push(`❌ ${c.regressions.length} REGRESSION(S)${threshold}:`, ...c.regressions.map((r) => `  - ${r}`));
  return `${out.join('\n')}\n`;
}

/** ` (245 MiB → 260 MiB, +6.1%)` when both sizes are known; the new size alone otherwise. */
function sizes(i: RunComparison['images'][number]): string {
  if (i.sizeA !== undefined && i.sizeB !== undefined) return ` (${formatBytes(i.sizeA)} → ${formatBytes(i.sizeB)}${i.growthPct === undefined ? '' : `, ${i.growthPct >= 0 ? '+' : ''}${i.growthPct}%`})`;
  return i.sizeB === undefined ? '' : ` (${formatBytes(i.sizeB)})`;
}

/** `memory peak 120 MiB → 180 MiB (+50%), CPU mean 12% → 15%`. */
function resourceLine(r: RunComparison['resources'][number]): string {
  const bytes = (n: number | undefined) => (n === undefined ? '–' : formatBytes(n));
  const pct = (n: number | undefined) => (n === undefined ? '–' : `${n}%`);
  return `memory peak ${bytes(r.peakA)} → ${bytes(r.peakB)}${r.memoryGrowthPct === undefined ? '' : ` (${r.memoryGrowthPct >= 0 ? '+' : ''}${r.memoryGrowthPct}%)`}, CPU mean ${pct(r.cpuMeanA)} → ${pct(r.cpuMeanB)}`;
}

/** Table cells: one line, pipes escaped. */
const cell = (text: string) => text.replace(/\s+/g, ' ').replace(/([\\|`*<>])/g, '\\$1');

/** The comparison as Markdown, for a PR comment. */
export function formatComparisonMarkdown(c: RunComparison): string {
  const out: string[] = [];
  const head = c.regressions.length === 0 ? '✅ No regression' : `❌ ${c.regressions.length} regression(s)`;
  out.push(`## release-gate compare: ${head}`, '');
  out.push(`A \`${c.a.dir.replaceAll('`', "'")}\` (${cell(c.a.verdict)}) → B \`${c.b.dir.replaceAll('`', "'")}\` (${cell(c.b.verdict)})${c.maxSlowdownPct === null ? '' : ` · max slowdown ${c.maxSlowdownPct}%`}`, '');
  if (c.regressions.length > 0) out.push(...c.regressions.map((r) => `- **${cell(r)}**`), '');
  const changed = c.criteria.filter((x) => x.a !== x.b);
  if (changed.length > 0) out.push('| Criterion | A | B |', '|---|---|---|', ...changed.map((x) => `| ${cell(x.title)} | ${mark(x.a)} | ${mark(x.b)} |`), '');
  else out.push(`Criteria unchanged (${c.criteria.length}).`, '');
  out.push('| Step | A | B | ± |', '|---|---|---|---|');
  for (const s of c.steps) if (s.aMs !== undefined || s.bMs !== undefined) out.push(`| ${cell(s.log)} | ${ms(s.aMs)} | ${ms(s.bMs)} | ${signed(s.deltaPct)}${s.regression ? ' ⚠️' : ''} |`);
  out.push('');
  if (c.counts.length > 0) out.push('| Count | A | B |', '|---|---|---|', ...c.counts.map((x) => `| ${cell(x.key)} | ${x.a ?? '–'} | ${x.b ?? '–'} |`), '');
  if (c.latency.length > 0) {
    out.push('| E2E step | p50 A → B | p95 A → B | ± p95 | max A → B |', '|---|---|---|---|---|');
    for (const l of c.latency) out.push(`| ${cell(l.step)} | ${ms(l.a?.p50Ms)} → ${ms(l.b?.p50Ms)} | ${ms(l.a?.p95Ms)} → ${ms(l.b?.p95Ms)} | ${signed(l.p95DeltaPct)}${l.regression ? ' ⚠️' : ''} | ${ms(l.a?.maxMs)} → ${ms(l.b?.maxMs)} |`);
    out.push('');
  }
  if (c.resources.length > 0) out.push('| Service | Memory peak and CPU mean, A → B |', '|---|---|', ...c.resources.map((r) => `| ${cell(r.service)} | ${cell(resourceLine(r))} |`), '');
  if (c.images.length > 0) out.push('| Service | A | B | Size |', '|---|---|---|---|', ...c.images.map((i) => `| ${cell(i.service)} | \`${short(i.a)}\` | \`${short(i.b)}\` | ${sizes(i).trim() || '–'} |`), '');
  return `${out.join('\n')}\n`;
}
