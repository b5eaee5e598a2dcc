// Resource budgets on real processes (issue 28 part 2): the local driver samples each service's
// process group from /proc; a service that allocates past its budget fails Resources with its
// peak, and a CPU burner fails its CPU budget; the figures are in summary.json.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runGateInProcess } from './gate-in-process.js';

const MiB = 1024 ** 2;

// 160 MiB written (so resident, not just reserved), then idle.
const HOG = `const b = Buffer.alloc(160 * 1024 * 1024, 1); setInterval(() => { b[0]++; }, 500);`;
// About 80 % of a core: busy 400 ms of every 500.
const BURNER = `setInterval(() => { const t = Date.now(); while (Date.now() - t < 400); }, 500);`;
const IDLE = `setInterval(() => {}, 1000);`;

function gateYaml(budgets: string): string {
  return `
name: resources-local
stack:
  driver: local
  services:
    hog: { command: [node, -e, ${JSON.stringify(HOG)}] }
    burner: { command: [node, -e, ${JSON.stringify(BURNER)}] }
    idle: { command: [node, -e, ${JSON.stringify(IDLE)}] }
criteria: { stability: Stability, resources: Resources }
phases:
  - id: boot
    steps:
      - { log: 01_up, do: up }
      - { log: 02_resources, do: resources, interval: 1s, budgets: ${budgets}, criterion: resources }
      - { log: 03_stability, do: stability, window: 4s, criterion: stability }
  - id: summary
    always: true
    steps: [{ log: 09_summary, do: summary }]
`;
}

describe('resource budgets on local process groups', () => {
  it('passes within budget, with peak and mean memory and CPU per service in summary.json', async () => {
    const run = await runGateInProcess(gateYaml('{ hog: { memory: 400MiB }, burner: { cpu: 300% }, idle: { memory: 200MiB } }'));
    assert.equal(run.exitCode, 0, run.read('09_summary.log') + run.read('02_resources.log'));
    const resources = run.step('02_resources.log')?.resources ?? [];
    assert.deepEqual(resources.map((r) => r.service), ['burner', 'hog', 'idle']);
    const hog = resources.find((r) => r.service === 'hog');
    assert.ok(hog && hog.memory.peakBytes >= 160 * MiB && hog.memory.peakBytes < 400 * MiB, JSON.stringify(hog?.memory));
    assert.ok(hog.samples >= 3 && hog.series.length === hog.samples, `${hog.samples} samples`);
    const burner = resources.find((r) => r.service === 'burner');
    assert.ok(burner?.cpu && burner.cpu.meanPercent > 30, JSON.stringify(burner?.cpu));
    assert.match(run.read('09_summary.log'), /✅ Resources: 3 services sampled \(\d+ samples\), 3 within budget/);
  });

  it('fails Resources naming the service over its memory budget with its peak, and the CPU burner over its CPU budget', async () => {
    // Budgets far from the figures: a loaded machine slows the burner, never to 5 % of a core.
    const run = await runGateInProcess(gateYaml('{ hog: { memory: 100MiB }, burner: { cpu: 5% }, idle: { memory: 200MiB } }'));
    assert.equal(run.exitCode, 1);
    const line = run.read('09_summary.log').split('\n').find((l) => l.includes('Resources:')) ?? '';
    assert.match(line, /❌ Resources: hog peaked at \d+(\.\d)? MiB of memory, over its 100 MiB budget; burner used \d+(\.\d)?% CPU on average, over its 5% budget/, run.read('02_resources.log'));
    const hog = run.step('02_resources.log')?.resources?.find((r) => r.service === 'hog');
    assert.ok(hog && hog.memory.peakBytes >= 160 * MiB, JSON.stringify(hog?.memory));
    assert.doesNotMatch(line, /idle/);
    assert.match(run.read('02_resources.log'), /hog is over its memory budget/);
  });
});
