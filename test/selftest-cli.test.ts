// `release-gate selftest` end to end on the bundled sample as local processes (real processes,
// real HTTP): the healthy run, the re-judged evidence, the live run (SIGKILL of a service's
// process group during the stability watch, each authenticated request repeated without its
// credentials), the table on the console, in selftest.json and in report.html; then a config
// whose log scan excuses every line and a backend serving /metrics without its token: exit 1,
// each hole named with why.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { canConnect, freePort, processesWith, ROOT, runCli, sampleDataDir, tempDir, writeConfig } from './helpers.js';

const SAMPLE = join(ROOT, 'examples/korrigo-lite');
const CONFIG = join(SAMPLE, 'release-gate.yml');

/** A token sharing no leading run with the paths the test reads (the redactor hides echoed prefixes). */
const token = () => `t${randomBytes(12).toString('hex')}`;

interface SelftestJson {
  passed: boolean;
  rows: { criterion: string; title: string; mutation: string; caught: boolean; live?: boolean; log: string; detail: string; exitCodeOnly?: boolean }[];
  criteria: { id: string; title: string; caught: boolean; why?: string; exitCodeOnly?: boolean }[];
  live?: { logDir: string; kill: string; leftovers: string[] };
}

async function selftest(opts: { config?: string; skip?: string; env?: Record<string, string> } = {}) {
  const dataDir = sampleDataDir('selftest-');
  const logDir = join(tempDir('rg-selftest-logs-'), 'logs');
  const buildDir = `build-selftest-${Math.random().toString(36).slice(2, 8)}`;
  const ports = [await freePort(), await freePort()];
  const started = Date.now();
  try {
    const run = await runCli(['selftest', '--config', opts.config ?? CONFIG, '--stability', '5s', '--log-dir', logDir, ...(opts.skip ? ['--skip', opts.skip] : [])], {
      cwd: ROOT,
      env: {
        KORRIGO_LITE_PORT: String(ports[0]),
        KORRIGO_LITE_DB_PORT: String(ports[1]),
        KORRIGO_LITE_DATA_DIR: dataDir,
        KORRIGO_LITE_BUILD_DIR: opts.skip ? 'dist' : buildDir,
        KORRIGO_LITE_WAIT_TIMEOUT: '20s',
        KORRIGO_LITE_FAULT: '',
        ...opts.env,
      },
    });
    process.stdout.write(`# selftest (local) took ${((Date.now() - started) / 1000).toFixed(0)}s\n`);
    const output = run.stdout + run.stderr;
    const json = existsSync(join(logDir, 'selftest.json')) ? (JSON.parse(readFileSync(join(logDir, 'selftest.json'), 'utf8')) as SelftestJson) : null;
    // Nothing of either run may outlive the command: no process on the data dir, no port open.
    assert.deepEqual(processesWith(dataDir), [], 'processes left running');
    for (const port of ports) assert.equal(await canConnect(port), false, `port ${port} still open`);
    return { code: run.code, output, logDir, json };
  } finally {
    rmSync(join(SAMPLE, buildDir), { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('release-gate selftest (local processes)', () => {
  it('passes with every criterion caught, the live kill and the token-less /metrics refused, and writes the table everywhere', async () => {
    const run = await selftest({ env: { METRICS_TOKEN: token() } });
    assert.equal(run.code, 0, run.output.split('\n').slice(-50).join('\n'));
    const report = run.json as SelftestJson;
    assert.equal(report.passed, true);
    assert.equal(report.criteria.length, 11);
    assert.deepEqual(report.criteria.filter((c) => !c.caught), []);
    // The console table: one line per mutation, the live ones labelled.
    assert.match(run.output, /SELFTEST PASSED: 11\/11 criteria caught/);
    assert.match(run.output, /^Stability\s+caught\s+live: SIGKILL of (\w+)'s main process during the watch \(selftest-live\/06_stability_5s\.log\) → .*\(\1\)/m);
    assert.match(run.output, /^Boot\s+caught\s+live: GET \/metrics without x-metrics-token \(selftest-live\/05_wait_metrics\.log\) → HTTP 403: refused/im);
    assert.match(run.output, /^Annotation POST\s+caught\s+live: annotate: POST .*without .*cookie sessionid/m);
    assert.match(run.output, /live run: nothing left running/);
    // The login is public by design and carries no session yet: never repeated.
    assert.doesNotMatch(run.output, /live: login:/);
    // Build and Migrations are guarded by exit codes only, and the table says so.
    assert.deepEqual(report.criteria.filter((c) => c.exitCodeOnly).map((c) => c.id).sort(), ['build', 'migrations']);
    assert.match(run.output, /note: Migrations is caught by a flipped exit code only/);
    // The live run is its own, labelled log dir; its Stability line names the killed service.
    const live = readFileSync(join(run.logDir, 'selftest-live', '17_validation_summary.log'), 'utf8');
    const victim = /SIGKILL of (\w+)'s/.exec(report.rows.find((r) => r.live && r.criterion === 'stability')?.mutation ?? '')?.[1] ?? 'none';
    assert.match(live, new RegExp(`❌ Stability:.*${victim}`));
    // The report shows the same table.
    const html = readFileSync(join(run.logDir, 'report.html'), 'utf8');
    assert.match(html, /id="selftest"/);
    assert.match(html, /SIGKILL of \w+&#39;s main process|SIGKILL of \w+'s main process/);
    assert.match(html, /11\/11 criteria caught/);
    // What selftest wrote after the run (table, live run, new report) is in the manifest too.
    const verified = await runCli(['verify', run.logDir], { cwd: ROOT });
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  });

  it('exits 1 naming each vacuous criterion with why: a scan excusing every line, a /metrics that answers without its token', async () => {
    const dir = tempDir('rg-selftest-vacuous-');
    const config = writeConfig(
      dir,
      [
        `extends: ${JSON.stringify(CONFIG)}`,
        `cwd: ${JSON.stringify(SAMPLE)}`,
        'phases:',
        '  - id: G',
        '    steps:',
        "      - { log: 15_backend_logs_tail, scan: { patterns: ['\\bERROR\\b'], allow: ['.*'] } }",
        // The app's own tests would see the open /metrics: here they run without the fault, as a
        // suite that does not cover it, so only the live run can tell.
        '  - id: F',
        '    steps:',
        '      - { log: 13_pytest_full, env: { KORRIGO_LITE_FAULT: "" } }',
        '',
      ].join('\n'),
    );
    const run = await selftest({ config, skip: 'A', env: { METRICS_TOKEN: token(), KORRIGO_LITE_FAULT: 'metrics-public' } });
    assert.equal(run.code, 1, run.output.split('\n').slice(-40).join('\n'));
    assert.match(run.output, /SELFTEST FAILED: \d+\/11 criteria caught; vacuous:/);
    assert.match(run.output, /^ {2}Warnings: 15_backend_logs_tail\.log \(log-scan\): no line could be built that the scan patterns flag and allow does not excuse/m);
    assert.match(run.output, /^ {2}Boot: live: GET \/metrics without x-metrics-token \(selftest-live\/05_wait_metrics\.log\): HTTP 200: the endpoint is public/im);
    const report = run.json as SelftestJson;
    assert.equal(report.passed, false);
    assert.equal(report.rows.find((r) => /GET \/metrics without/.test(r.mutation))?.caught, false);
    rmSync(dir, { recursive: true, force: true });
  });
});
