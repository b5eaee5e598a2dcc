import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeImageBudget, type ImageFigure } from './image-budget.js';

const MiB = 1024 ** 2;
const api: ImageFigure = { image: 'shop-api:2', services: ['api', 'worker'], size: 250 * MiB, layers: 9 };
const web: ImageFigure = { image: 'shop-web:2', services: ['web'], size: 40 * MiB, layers: 4 };

describe('the image budget judge', () => {
  it('passes images within every budget, saying the largest and the growth', () => {
    const v = judgeImageBudget({ images: [{ ...api, baselineSize: 240 * MiB }, { ...web, baselineSize: 40 * MiB }], maxSize: 300 * MiB, maxLayers: 12, maxGrowthPct: 10, baseline: '/runs/1' });
    assert.equal(v.passed, true, v.detail);
    assert.equal(v.detail, '2 images, largest api, worker (shop-api:2) 250 MiB (budget 300 MiB); growth at most +4.2% since the baseline (budget 10%)');
    assert.equal(v.checks, 6);
  });

  it('fails an image over its size or layer budget, naming the services and the figures', () => {
    const v = judgeImageBudget({ images: [api, web], maxSize: 200 * MiB, maxLayers: 8 });
    assert.equal(v.passed, false);
    assert.equal(v.detail, 'api, worker (shop-api:2) is 250 MiB, over the 200 MiB budget; api, worker (shop-api:2) has 9 layers, over the budget of 8');
  });

  it('fails growth past maxGrowth since the baseline, with both sizes', () => {
    const v = judgeImageBudget({ images: [{ ...api, baselineSize: 200 * MiB }], maxGrowthPct: 10, baseline: '/runs/1' });
    assert.equal(v.passed, false);
    assert.equal(v.detail, 'api, worker (shop-api:2) grew +25% since the baseline (200 MiB → 250 MiB), over the 10% budget');
  });

  it('says an image new since the baseline, and growth asked without a baseline, without judging them', () => {
    const fresh = judgeImageBudget({ images: [{ ...web, baselineSize: null }], maxSize: 100 * MiB, maxGrowthPct: 10, baseline: '/runs/1' });
    assert.equal(fresh.passed, true);
    assert.match(fresh.detail, /web \(shop-web:2\) is new since the baseline \(no growth judged\)/);
    const alone = judgeImageBudget({ images: [api], maxGrowthPct: 10 });
    assert.equal(alone.checks, 0, 'nothing judged: the engine turns it into "no evidence"');
    assert.match(alone.detail, /growth not judged: no --baseline run given/);
  });

  it('fails what it could not measure: an image gone from the engine, a baseline without sizes when growth is asked', () => {
    const gone = judgeImageBudget({ images: [api], maxSize: 300 * MiB, unmeasured: ['web'] });
    assert.equal(gone.passed, false);
    assert.match(gone.detail, /^web: its image is gone from the engine, not measured$/);
    const old = judgeImageBudget({ images: [{ ...api, baselineSize: null }], maxSize: 300 * MiB, maxGrowthPct: 10, baseline: '/runs/0', baselineUnsized: ['api', 'worker'] });
    assert.equal(old.passed, false);
    assert.match(old.detail, /the baseline run recorded no image size for api, worker .*growth cannot be judged/);
  });

  it('fails when no image was found', () => {
    assert.deepEqual(judgeImageBudget({ images: [], maxSize: 1 }), { passed: false, detail: 'no image found: no service runs an image the engine describes', checks: 0 });
  });
});
