import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertEveryMutationFails } from './criterion.fixture.js';
import { imageBudgetCriterion } from './image-budget-criterion.js';

describe('image budget criterion: mutations', () => {
  it('grows the first image past each budget the run set, which the judge then fails', () => {
    const images = [
      { image: 'shop-api:2', services: ['api', 'worker'], size: 200e6, layers: 9, baselineSize: 195e6 },
      { image: 'shop-web:2', services: ['web'], size: 50e6, layers: 4, baselineSize: 50e6 },
    ];
    const labels = assertEveryMutationFails('image-budget', imageBudgetCriterion, { images, maxSize: 300e6, maxLayers: 12, maxGrowthPct: 10, baseline: '/runs/1' });
    assert.deepEqual(labels, ['api, worker one byte over the size budget', 'api, worker one layer over the layer budget', 'api, worker grown 11% since the baseline']);
  });

  it('has nothing to break when no budget was set', () => {
    const plan = imageBudgetCriterion.mutations({ images: [{ image: 'a', services: ['a'], size: 1, layers: 1 }] }, { judge: 'image-budget', input: { images: [] }, passed: true, detail: '' }, undefined);
    assert.ok('none' in plan);
  });
});
