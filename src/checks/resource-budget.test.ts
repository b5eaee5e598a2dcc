import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeResources } from './resource-budget.js';
import { ResourceUsage } from './resource-usage.js';
import { parseStat, residentBytes } from '../drivers/local/process-group-usage.js';

const MiB = 1024 ** 2;

describe('resource figures and their budgets', () => {
  it('sums samples per service: peak, mean, the limit, CPU only where measured, a thinned series', () => {
    const usage = new ResourceUsage();
    for (let i = 0; i < 100; i++) usage.add([{ service: 'api', memoryBytes: (100 + i) * MiB, cpuPercent: i === 0 ? null : 50, memoryLimitBytes: 256 * MiB }], 1000 * i);
    const [api] = usage.summary();
    assert.equal(api?.samples, 100);
    assert.deepEqual(api?.memory, { peakBytes: 199 * MiB, meanBytes: Math.round(149.5 * MiB), limitBytes: 256 * MiB });
    assert.deepEqual(api?.cpu, { peakPercent: 50, meanPercent: 50 });
    assert.equal(api?.series.length, 60);
    assert.deepEqual(api?.series[0], [0, 100 * MiB, null]);
    assert.deepEqual(api?.series[59], [99, 199 * MiB, 50]);
  });

  it('fails memory over budget, CPU mean and peak over budget, a budgeted service never sampled', () => {
    const services = [{ service: 'api', samples: 3, memory: { peakBytes: 600 * MiB, meanBytes: 500 * MiB }, cpu: { peakPercent: 250, meanPercent: 160 } }];
    const v = judgeResources({ services, budgets: { api: { memoryBytes: 512 * MiB, cpuPercent: 150, cpuPeakPercent: 200 }, worker: { memoryBytes: MiB } } });
    assert.equal(v.passed, false);
    assert.equal(
      v.detail,
      'api peaked at 600 MiB of memory, over its 512 MiB budget; api used 160% CPU on average, over its 150% budget; api peaked at 250% CPU, over its 200% peak budget; worker was never sampled (not running?): its budget judged nothing',
    );
  });

  it('passes within budget, and warns (without failing) above 90 % of a memory limit', () => {
    const services = [
      { service: 'api', samples: 4, memory: { peakBytes: 240 * MiB, meanBytes: 200 * MiB, limitBytes: 256 * MiB }, cpu: null },
      { service: 'db', samples: 4, memory: { peakBytes: 50 * MiB, meanBytes: 40 * MiB }, cpu: { peakPercent: 5, meanPercent: 1 } },
    ];
    const v = judgeResources({ services, budgets: { api: { memoryBytes: 512 * MiB } } });
    assert.equal(v.passed, true);
    assert.equal(v.detail, '2 services sampled (4 samples), 1 within budget; warning: api peaked at 94% of its 256 MiB memory limit');
  });

  it('fails figures most of whose samples failed, and says the failures when they are few', () => {
    const services = [{ service: 'api', samples: 1, memory: { peakBytes: 10 * MiB, meanBytes: 10 * MiB }, cpu: null }];
    const partial = judgeResources({ services, budgets: { api: { memoryBytes: 512 * MiB } }, rounds: 10, failedRounds: 9 });
    assert.equal(partial.passed, false);
    assert.match(partial.detail, /^9 of 10 samples failed: the figures are partial$/);
    const few = judgeResources({ services, budgets: {}, rounds: 10, failedRounds: 1 });
    assert.equal(few.passed, true);
    assert.match(few.detail, /\(1 samples, 1 failed\)/);
  });

  it('reads /proc/<pid>/stat with a name holding spaces and parentheses, and VmRSS in kB', () => {
    assert.deepEqual(parseStat('4242 (node (worker) x) S 1 4240 4240 0 -1 4194560 100 0 0 0 57 13 0 0 20 0 7 0 123 456 789'), { pgrp: 4240, ticks: 70 });
    assert.equal(residentBytes('Name:\tnode\nVmRSS:\t  163840 kB\n'), 163840 * 1024);
    assert.equal(residentBytes('Name:\tkthreadd\n'), 0);
  });
});
