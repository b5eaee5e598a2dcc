// `release-gate selftest` on the bundled sample in Docker Compose (examples/korrigo-lite/
// release-gate.compose.yml, --stability 5s): the healthy run, every criterion re-judged with
// injected defects, then the live run (no build) that `docker kill`s a container during the
// stability watch and repeats /metrics without its token. Needs a Docker engine, compose v2 and
// debian:trixie-slim (scripts/docker-engine.sh); run through `npm run test:docker`. No skip.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort, ROOT, runCli, tempDir } from './helpers.js';
import { NO_FAULTS, SAMPLE, composeDown, labelledObjects, sampleWrapper } from './korrigo-lite-docker.js';

const CONFIG = join(SAMPLE, 'release-gate.compose.yml');
/** Own compose project (the rg-test- prefix is what scripts/run-docker-tests.mjs checks for leftovers). */
const PROJECT = `rg-test-selftest-${randomBytes(4).toString('hex')}`;

interface SelftestJson {
  passed: boolean;
  rows: { criterion: string; title: string; mutation: string; caught: boolean; live?: boolean; log: string; detail: string }[];
  criteria: { id: string; caught: boolean; why?: string }[];
  live?: { logDir: string; kill: string; leftovers: string[] };
}

// The volumes go at teardown: each of the two runs leaves nothing behind.
const wrapperConfig = sampleWrapper(CONFIG, { dirPrefix: 'rg-selftest-compose-', cleanup: () => composeDown(PROJECT) });

/** Containers, volumes and networks of our project still in the engine. */
const leftovers = (): string[] => labelledObjects(`com.docker.compose.project=${PROJECT}`);

describe('release-gate selftest on Docker Compose (korrigo-lite)', () => {
  it('catches every criterion, kills a container during the watch, finds /metrics protected, and leaves nothing', async () => {
    const logDir = join(tempDir('rg-selftest-compose-logs-'), 'logs');
    const port = await freePort();
    const started = Date.now();
    const run = await runCli(['selftest', '--config', wrapperConfig(), '--stability', '5s', '--log-dir', logDir], {
      cwd: ROOT,
      env: {
        KORRIGO_LITE_COMPOSE_PROJECT: PROJECT,
        KORRIGO_LITE_HTTP_PORT: String(port),
        ...NO_FAULTS,
        // A token: the live run must find /metrics refusing a request without it.
        METRICS_TOKEN: `tok-${randomBytes(6).toString('hex')}`,
      },
    });
    const output = run.stdout + run.stderr;
    process.stdout.write(`# selftest on compose took ${((Date.now() - started) / 1000).toFixed(0)}s\n`);
    assert.equal(run.code, 0, output.split('\n').slice(-60).join('\n'));
    assert.match(output, /SELFTEST PASSED: (\d+)\/\1 criteria caught/);
    const report = JSON.parse(readFileSync(join(logDir, 'selftest.json'), 'utf8')) as SelftestJson;
    assert.equal(report.passed, true);
    assert.ok(report.criteria.length >= 9, `${report.criteria.length} criteria`);
    assert.deepEqual(report.criteria.filter((c) => !c.caught), []);
    const kill = report.rows.find((r) => r.live && r.criterion === 'stability');
    assert.ok(kill?.caught, `live kill row: ${JSON.stringify(kill)}`);
    assert.match(kill.mutation, /SIGKILL of (\w+)'s main process/);
    const victim = /SIGKILL of (\w+)'s/.exec(kill.mutation)?.[1] as string;
    assert.ok(kill.detail.includes(victim), kill.detail);
    const metrics = report.rows.find((r) => r.live && /GET \/metrics without x-metrics-token/i.test(r.mutation));
    assert.ok(metrics?.caught, `metrics probe: ${JSON.stringify(metrics)} in ${JSON.stringify(report.rows.filter((r) => r.live))}`);
    assert.ok(report.rows.some((r) => r.live && r.criterion === 'annotation' && r.caught), 'the annotation POST was repeated without the session');
    // The live run is labelled and kept apart; the engine really saw the container die.
    const liveSummary = readFileSync(join(logDir, 'selftest-live', '17_validation_summary.log'), 'utf8');
    assert.match(liveSummary, new RegExp(`❌ Stability:.*${victim}`));
    assert.deepEqual(report.live?.leftovers, []);
    assert.deepEqual(leftovers(), []);
  });
});
