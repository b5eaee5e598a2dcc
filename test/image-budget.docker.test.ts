// Needs a real Docker engine + compose v2 and the local debian:trixie-slim image
// (scripts/docker-engine.sh). Run alone: node --test dist/test/image-budget.docker.test.js
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { PROJECT_LABEL } from '../src/drivers/compose/compose-project.js';
import type { RunResult } from '../src/model/run-result.js';
import { FIXTURES, runCli, tempDir, writeConfig } from './helpers.js';

/*
 * Issue 28, image budgets: a real no-cache build measured through the Engine API. The same
 * service built once as the baseline, then grown by PAD_MB MiB of random bytes (a release that
 * pulled in "a few new dependencies"): Images fails on its growth against the baseline run, and
 * on its size against the config; the sizes are in summary.json, manifest.json and `compare`.
 */

const docker = new Docker();
const composeFile = join(FIXTURES, 'image-budget', 'docker-compose.yml');
const name = `rg-test-budget-${randomBytes(4).toString('hex')}`;
const work = tempDir('rg-image-budget-');

const gateYaml = (budget: string) => `
name: image-budget
criteria: { build: Build, images: Images }
env: { RG_IMAGE: "${name}", PAD_MB: "\${PAD_MB:-0}" }
stack:
  driver: compose
  file: ${composeFile}
  project: ${name}
  minFreeDiskMb: 256
phases:
  - id: clean
    steps: [{ log: 00_down, do: down, volumes: true }]
  - id: A
    steps: [{ log: 01_build, do: build, noCache: true, criterion: build }]
  - id: B
    steps:
      - { log: 02_up, do: up }
      - { log: 21_images, do: images, ${budget}, criterion: images }
  - id: summary
    always: true
    steps: [{ log: 17_summary, do: summary }]
`;

interface Gate {
  logDir: string;
  code: number | null;
  out: string;
  images(): NonNullable<RunResult['steps'][number]['images']>;
  line(): string;
}

async function gate(label: string, o: { padMb: number; budget: string; baseline?: string }): Promise<Gate> {
  const dir = join(work, label);
  mkdirSync(dir, { recursive: true });
  const config = writeConfig(dir, gateYaml(o.budget));
  const logDir = join(dir, 'logs');
  const run = await runCli(['run', '--config', config, '--log-dir', logDir, ...(o.baseline ? ['--baseline', o.baseline] : [])], { cwd: dir, env: { PAD_MB: String(o.padMb) } });
  const summary = () => JSON.parse(readFileSync(join(logDir, 'summary.json'), 'utf8')) as RunResult;
  return {
    logDir,
    code: run.code,
    out: run.stdout + run.stderr,
    images: () => summary().steps.find((s) => s.log === '21_images.log')?.images ?? [],
    line: () => readFileSync(join(logDir, '17_summary.log'), 'utf8').split('\n').find((l) => l.includes(' Images:')) ?? '',
  };
}

let baseline: Gate;
let grown: Gate;

before(async () => {
  baseline = await gate('baseline', { padMb: 1, budget: 'maxSize: 1GiB, maxGrowth: "10%"' });
  assert.equal(baseline.code, 0, baseline.out);
  grown = await gate('grown', { padMb: 40, budget: 'maxSize: 1GiB, maxGrowth: "10%"', baseline: baseline.logDir });
});

after(async () => {
  spawnSync('docker', ['compose', '-p', name, '-f', composeFile, 'down', '-v', '--rmi', 'all', '--remove-orphans'], { stdio: 'ignore', env: { ...process.env, RG_IMAGE: name } });
  await docker.getImage(`${name}:local`).remove({ force: true }).catch(() => undefined);
  await docker.pruneImages({ filters: { dangling: ['true'], label: [`${PROJECT_LABEL}=${name}`] } }).catch(() => undefined);
});

describe('image budgets against a real compose build', () => {
  it('measures the image (size, layers) into summary.json and manifest.json, and passes within budget', async () => {
    const [figure] = baseline.images();
    assert.ok(figure, baseline.out);
    const info = await docker.getImage(`${name}:local`).inspect().catch(() => null);
    assert.ok(figure.size > 1024 ** 2, `size ${figure.size}`);
    assert.deepEqual(figure.services, ['app']);
    assert.ok(figure.layers >= 2, `layers ${figure.layers}`);
    const manifest = JSON.parse(readFileSync(join(baseline.logDir, 'manifest.json'), 'utf8')) as { stack: { services: { name: string; imageSize?: number }[] } };
    assert.equal(manifest.stack.services.find((s) => s.name === 'app')?.imageSize, figure.size);
    assert.match(baseline.line(), /✅ Images: 1 image, largest app/);
    // The grown build replaced the tag: the engine now describes the grown image, as the second run measured it.
    assert.equal(info?.Size, grown.images()[0]?.size);
  });

  it('fails Images on the growth since the --baseline run, naming the service and both sizes', () => {
    assert.equal(grown.code, 1, grown.out);
    const [figure] = grown.images();
    assert.ok(figure && figure.baselineSize === baseline.images()[0]?.size, JSON.stringify(figure));
    assert.match(grown.line(), /❌ Images: app \(rg-test-budget-[0-9a-f]+:local\) grew \+\d+(\.\d)?% since the baseline \(\d+(\.\d)? MiB → \d+(\.\d)? MiB\), over the 10% budget/);
    assert.match(readFileSync(join(grown.logDir, '21_images.log'), 'utf8'), /baseline: .*baseline\/logs/);
  });

  it('compare shows the size growth of the rebuilt image', async () => {
    const run = await runCli(['compare', baseline.logDir, grown.logDir]);
    assert.match(run.stdout, /app: sha256:[0-9a-f]+.* → sha256:[0-9a-f]+.* \(\d+(\.\d)? MiB → \d+(\.\d)? MiB, \+\d+(\.\d)?%\)/);
  });

  it('fails Images on the size budget of the config, with no baseline', async () => {
    const small = await gate('small-budget', { padMb: 40, budget: 'maxSize: 50MiB' });
    assert.equal(small.code, 1, small.out);
    assert.match(small.line(), /❌ Images: app \(.*\) is \d+(\.\d)? MiB, over the 50 MiB budget/);
  });
});
