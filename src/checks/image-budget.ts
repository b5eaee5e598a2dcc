import { growthPct } from '../common/byte-size.js';
import { formatBytes } from '../common/safe-file.js';
import type { ImageFigure } from '../model/run-result.js';

export type { ImageFigure } from '../model/run-result.js';

/** What Images is judged from: the figures and the budgets (bytes, layers, percent). */
export interface ImageBudgetInput {
  images: ImageFigure[];
  maxSize?: number | undefined;
  maxLayers?: number | undefined;
  maxGrowthPct?: number | undefined;
  /** The baseline run's log dir, when growth is judged against one. */
  baseline?: string | undefined;
  /** Services whose image the engine no longer describes (removed since they started): not measured. */
  unmeasured?: string[] | undefined;
  /** Services the baseline ran without a recorded size (a manifest older than image sizes). */
  baselineUnsized?: string[] | undefined;
}

export interface ImageBudgetVerdict {
  passed: boolean;
  detail: string;
  /** How many comparisons were made: a budget that judged nothing proved nothing. */
  checks: number;
}

const label = (f: ImageFigure) => `${f.services.join(', ')} (${f.image})`;
const signed = (pct: number) => `${pct >= 0 ? '+' : ''}${pct}%`;

/**
 * Images: every image within its size and layer budgets, and grown no more than maxGrowth since
 * the baseline run. An image new since the baseline has no growth to judge (said, not failed);
 * growth asked without a baseline is said too, and judges nothing.
 */
export function judgeImageBudget(input: ImageBudgetInput): ImageBudgetVerdict {
  const { images } = input;
  if (images.length === 0) return { passed: false, detail: 'no image found: no service runs an image the engine describes', checks: 0 };
  const problems: string[] = [];
  const notes: string[] = [];
  let checks = 0;
  // What was not measured is not within budget: said as a failure, never dropped.
  for (const service of input.unmeasured ?? []) problems.push(`${service}: its image is gone from the engine, not measured`);
  if (input.maxGrowthPct !== undefined && input.baseline !== undefined && (input.baselineUnsized ?? []).length > 0) {
    problems.push(`the baseline run recorded no image size for ${(input.baselineUnsized ?? []).join(', ')} (a manifest from before image sizes): growth cannot be judged against it`);
  }
  for (const f of images) {
    if (input.maxSize !== undefined) {
      checks++;
      if (f.size > input.maxSize) problems.push(`${label(f)} is ${formatBytes(f.size)}, over the ${formatBytes(input.maxSize)} budget`);
    }
    if (input.maxLayers !== undefined) {
      checks++;
      if (f.layers > input.maxLayers) problems.push(`${label(f)} has ${f.layers} layers, over the budget of ${input.maxLayers}`);
    }
    if (input.maxGrowthPct === undefined || input.baseline === undefined) continue;
    const pct = growthPct(f.size, f.baselineSize);
    if (pct === null) {
      notes.push(`${label(f)} is new since the baseline (no growth judged)`);
      continue;
    }
    checks++;
    if (pct > input.maxGrowthPct) problems.push(`${label(f)} grew ${signed(pct)} since the baseline (${formatBytes(f.baselineSize as number)} → ${formatBytes(f.size)}), over the ${input.maxGrowthPct}% budget`);
  }
  if (input.maxGrowthPct !== undefined && input.baseline === undefined) notes.push('growth not judged: no --baseline run given');
  if (problems.length > 0) return { passed: false, detail: problems.join('; '), checks };
  const largest = images.reduce((a, b) => (b.size > a.size ? b : a));
  const growths = images.map((f) => growthPct(f.size, f.baselineSize)).filter((g): g is number => g !== null);
  const summary = [
    `${images.length} image${images.length === 1 ? '' : 's'}, largest ${label(largest)} ${formatBytes(largest.size)}${input.maxSize === undefined ? '' : ` (budget ${formatBytes(input.maxSize)})`}`,
    ...(growths.length > 0 ? [`growth at most ${signed(Math.max(...growths))} since the baseline${input.maxGrowthPct === undefined ? '' : ` (budget ${input.maxGrowthPct}%)`}`] : []),
    ...notes,
  ];
  return { passed: true, detail: summary.join('; '), checks };
}
