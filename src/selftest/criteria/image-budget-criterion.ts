import { builtinJudges, type ImageBudgetInput } from '../../checks/judges.js';
import type { Criterion, EvidenceMutation, MutationPlan } from '../evidence-mutations.js';

/** Images: the first image grown past each budget the run set (size, layers, growth since the baseline). */
export const imageBudgetCriterion: Criterion<'image-budget'> = {
  judge: builtinJudges['image-budget'],
  mutations: (input: ImageBudgetInput) => mutateImages(input),
};

function mutateImages(input: ImageBudgetInput): MutationPlan {
  const [first, ...rest] = input.images;
  if (!first) return { none: 'no image was measured' };
  const mutations: EvidenceMutation[] = [];
  const withFirst = (changed: typeof first) => ({ ...input, images: [changed, ...rest] });
  if (input.maxSize !== undefined) mutations.push({ label: `${first.services.join(', ')} one byte over the size budget`, input: withFirst({ ...first, size: input.maxSize + 1 }) });
  if (input.maxLayers !== undefined) mutations.push({ label: `${first.services.join(', ')} one layer over the layer budget`, input: withFirst({ ...first, layers: input.maxLayers + 1 }) });
  const base = first.baselineSize;
  if (input.maxGrowthPct !== undefined && input.baseline !== undefined && typeof base === 'number' && base > 0) {
    const grown = Math.ceil(base * (1 + (input.maxGrowthPct + 1) / 100));
    mutations.push({ label: `${first.services.join(', ')} grown ${input.maxGrowthPct + 1}% since the baseline`, input: withFirst({ ...first, size: grown }) });
  }
  return mutations.length ? { mutations } : { none: 'no budget was set (maxSize, maxLayers, maxGrowth with --baseline)' };
}
