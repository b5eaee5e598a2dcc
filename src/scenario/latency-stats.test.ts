import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { exceededBudgets, LatencyRecorder, latencyTable, percentile } from './latency-stats.js';

describe('percentile (nearest rank)', () => {
  const cases: [number[], number, number][] = [
    [[], 95, 0],
    [[7], 50, 7],
    [[10, 20, 30], 50, 20],
    [[10, 20, 30], 95, 30],
    [[10, 20, 30, 40], 50, 20],
    [Array.from({ length: 20 }, (_, i) => i + 1), 95, 19],
    [Array.from({ length: 100 }, (_, i) => i + 1), 95, 95],
    [Array.from({ length: 100 }, (_, i) => i + 1), 100, 100],
  ];
  for (const [samples, p, expected] of cases) {
    it(`p${p} of ${samples.length} sample(s) is ${expected}`, () => assert.equal(percentile(samples, p), expected));
  }
});

describe('exceededBudgets', () => {
  const stats = { p50Ms: 100, p95Ms: 420, maxMs: 900 };
  const cases: [string, Parameters<typeof exceededBudgets>[1], string[]][] = [
    ['none set', {}, []],
    ['p95 over', { p95Ms: 300 }, ['p95 420ms > 300ms']],
    ['p95 equal is within', { p95Ms: 420 }, []],
    ['all over', { p50Ms: 50, p95Ms: 300, maxMs: 800 }, ['p50 100ms > 50ms', 'p95 420ms > 300ms', 'max 900ms > 800ms']],
    ['max within, p50 over', { p50Ms: 99, maxMs: 1000 }, ['p50 100ms > 99ms']],
  ];
  for (const [name, limits, expected] of cases) it(name, () => assert.deepEqual(exceededBudgets(stats, limits), expected));
});

describe('LatencyRecorder', () => {
  it('summarises each step in scenario order, counts failures per run, and judges budgets', () => {
    const r = new LatencyRecorder();
    r.declare('login', 'setup', undefined);
    r.declare('lock', 'each', { p95: 100 });
    r.declare('skipped-one', 'each', undefined);
    r.declare('release', 'finally', { max: 1000 });
    r.record('login', 50, false, undefined);
    for (const [run, ms, failed] of [[1, 40, false], [2, 60, true], [3, 150, false]] as const) {
      r.record('lock', ms, failed, run);
      r.record('release', 10, false, run);
      r.endRun(run, ms + 10);
    }
    const s = r.summary();
    assert.deepEqual(s.failuresPerRun, [0, 1, 0]);
    assert.deepEqual(s.runDurationsMs, [50, 70, 160]);
    assert.deepEqual(s.steps.map((x) => x.step), ['login', 'lock', 'release'], 'a step that never ran has no row');
    const lock = s.steps[1];
    assert.deepEqual(lock, { step: 'lock', list: 'each', samples: 3, failures: 1, p50Ms: 60, p95Ms: 150, maxMs: 150, limits: { p95Ms: 100 }, exceeded: ['p95 150ms > 100ms'] });
    assert.deepEqual(s.steps[2]?.limits, { maxMs: 1000 });
    assert.equal(s.steps[2]?.exceeded, undefined);
  });

  it('writes one row per step and the failures per run, never a line the seed grep `E2E.*RUN.*PASSED` matches', () => {
    const r = new LatencyRecorder();
    r.declare('lock', 'each', { p95: 1000 });
    r.declare('reset', 'finally', undefined);
    r.record('lock', 5, false, 1);
    r.record('reset', 1500, true, 1);
    r.endRun(1, 1505);
    const lines = latencyTable(r.summary());
    assert.match(lines.join('\n'), /^ +lock +each +1 +5ms +5ms +5ms +0 +within budget$/m);
    assert.match(lines.join('\n'), /^ +reset +finally +1 +1\.5s +1\.5s +1\.5s +1$/m);
    assert.equal(lines.at(-1), 'failures per run: 1');
    assert.deepEqual(lines.filter((l) => /E2E.*RUN.*PASSED/.test(l)), []);
  });
});
