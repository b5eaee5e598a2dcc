import { z } from 'zod';
import { judge } from '../checks/judges.js';
import { judgeImageBudget, type ImageBudgetInput, type ImageFigure } from '../checks/image-budget.js';
import { growthPct, percentSchema, writtenByteSize } from '../common/byte-size.js';
import { formatBytes } from '../common/safe-file.js';
import type { BaselineRun } from '../model/manifest.js';
import type { ServiceProvenance } from '../model/stack.js';
import { defineStepKind } from './step-kind.js';

/**
 * The Images criterion: the size and layer count of every image the services run (Engine API,
 * after the no-cache build), within the config's budgets, and grown no more than `maxGrowth`
 * since the run given to `--baseline DIR`. Sizes go in summary.json, the reports and `compare`.
 */
export const imageBudgetStep = defineStepKind({
  name: 'images',
  schema: z.strictObject({
    maxSize: writtenByteSize().optional().describe('Largest size allowed for each image (all layers): 500MiB, 1.2GB'),
    maxLayers: z.number().int().min(1).optional().describe('Most layers allowed for each image'),
    maxGrowth: percentSchema().optional().describe('Largest growth allowed since the --baseline run, per image: 10%'),
    services: z.array(z.string().min(1)).optional().describe('Only the images of these services (default: every service that runs an image)'),
  }),
  timeout: 'hard',
  needs: () => ['images'],
  title: () => 'Image sizes within budget',
  async run(step, ctx) {
    if (!ctx.driver.provenance) return { passed: false, detail: `the ${ctx.driver.name} driver cannot tell what its services run` };
    const provenance = await ctx.driver.provenance();
    const wanted = step.services ? new Set(step.services) : null;
    const measured = provenance.services.filter((s) => (wanted === null || wanted.has(s.name)) && s.imageSize !== undefined);
    const unmeasured = provenance.services.filter((s) => (wanted === null || wanted.has(s.name)) && s.imageId && s.imageSize === undefined).map((s) => s.name);
    for (const name of unmeasured) ctx.log.line(`${name}: its image is gone from the engine: not measured`);
    const images = figures(measured, ctx.baseline);
    const baselineUnsized = ctx.baseline ? measured.filter((s) => ctx.baseline?.services.some((b) => b.name === s.name && b.imageSize === undefined)).map((s) => s.name) : [];
    const input: ImageBudgetInput = {
      images,
      ...(step.maxSize ? { maxSize: step.maxSize.bytes } : {}),
      ...(step.maxLayers === undefined ? {} : { maxLayers: step.maxLayers }),
      ...(step.maxGrowth === undefined ? {} : { maxGrowthPct: step.maxGrowth }),
      ...(ctx.baseline ? { baseline: ctx.baseline.dir } : {}),
      ...(unmeasured.length > 0 ? { unmeasured } : {}),
      ...(baselineUnsized.length > 0 ? { baselineUnsized } : {}),
    };
    if (ctx.baseline) ctx.log.line(`baseline: ${ctx.baseline.dir}`);
    for (const f of images) ctx.log.line(describe(f));
    const judgement = judge('image-budget', input);
    const { checks } = judgeImageBudget(input);
    ctx.log.line(`${judgement.passed ? '✓' : '✗'} ${judgement.detail}`);
    return { passed: judgement.passed, detail: judgement.detail, evidence: checks, judgements: [judgement], images };
  },
});

/** One figure per image (services sharing an image share a row), with the baseline's size of the same services. */
function figures(services: ServiceProvenance[], baseline: BaselineRun | undefined): ImageFigure[] {
  const byImage = new Map<string, ImageFigure>();
  for (const s of services) {
    const key = s.imageId ?? s.image ?? s.name;
    const row = byImage.get(key);
    if (row) {
      row.services.push(s.name);
      continue;
    }
    byImage.set(key, { image: s.image ?? key, services: [s.name], size: s.imageSize as number, layers: s.imageLayers ?? 0 });
  }
  if (!baseline) return [...byImage.values()];
  return [...byImage.values()].map((f) => {
    const before = baseline.services.find((b) => f.services.includes(b.name) && b.imageSize !== undefined);
    return { ...f, baselineSize: before?.imageSize ?? null };
  });
}

function describe(f: ImageFigure): string {
  const pct = growthPct(f.size, f.baselineSize);
  const since = f.baselineSize === undefined ? '' : f.baselineSize === null ? ', new since the baseline' : `, baseline ${formatBytes(f.baselineSize)} (${pct !== null && pct >= 0 ? '+' : ''}${pct ?? '?'}%)`;
  return `${f.image} (${f.services.join(', ')}): ${formatBytes(f.size)}, ${f.layers} layers${since}`;
}
