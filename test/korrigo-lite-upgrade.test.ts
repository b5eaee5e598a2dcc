import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, processesWith, ROOT, runCli, sampleDataDir, tempDir } from './helpers.js';

/*
 * The upgrade drill of the korrigo gate on the bundled sample, local processes: release v1
 * (KORRIGO_LITE_RELEASE=v1) migrated and seeded, then the candidate v2 on its data. Healthy, every
 * criterion ✅; with KORRIGO_LITE_FAULT=upgrade-breaks-data (v2's migration without its backfill),
 * exactly Upgrade ❌, named by its cause: the fresh install of the main phases sees nothing.
 */
const SAMPLE = join(ROOT, 'examples/korrigo-lite');
const CONFIG = join(SAMPLE, 'release-gate.yml');
// Build is skipped (`--skip A`): the runs use the sample's own `npm ci` build (dist).
const TITLES = ['Boot', 'Stability', 'Migrations', 'Seed idempotent', 'Pages > 0', 'E2E', 'Annotation POST', 'Tests', 'Warnings', 'Upgrade'];

const dataDirs: string[] = [];
after(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

async function sampleGate(fault: string) {
  const dataDir = sampleDataDir('kl-upgrade-');
  dataDirs.push(dataDir);
  const logDir = join(tempDir('rg-kl-upgrade-'), 'logs');
  const started = Date.now();
  const run = await runCli(['run', '--config', CONFIG, '--stability', '5s', '--log-dir', logDir, '--skip', 'A'], {
    cwd: ROOT,
    env: {
      KORRIGO_LITE_PORT: String(await freePort()),
      KORRIGO_LITE_DB_PORT: String(await freePort()),
      KORRIGO_LITE_DATA_DIR: dataDir,
      KORRIGO_LITE_BUILD_DIR: 'dist',
      KORRIGO_LITE_WAIT_TIMEOUT: '60s',
      KORRIGO_LITE_FAULT: fault,
      TEST_PROF_PASSWORD: 'prof-Pw-upgrade-4d1e',
    },
  });
  const wallMs = Date.now() - started;
  const read = (name: string) => readFileSync(join(logDir, name), 'utf8');
  const summary = existsSync(join(logDir, '17_validation_summary.log')) ? read('17_validation_summary.log') : '';
  const line = (title: string) => summary.split('\n').find((l) => /[✅❌]/.test(l) && l.includes(` ${title}:`)) ?? '';
  const drill = existsSync(join(logDir, '19_upgrade_drill.log')) ? read('19_upgrade_drill.log') : '';
  const evidence = `${summary}\n--- 19_upgrade_drill.log (tail) ---\n${drill.split('\n').slice(-40).join('\n')}\n--- console ---\n${(run.stdout + run.stderr).slice(-3000)}`;
  return { ...run, wallMs, dataDir, summary, line, drill, evidence, read };
}

describe('the upgrade drill of the korrigo gate on korrigo-lite (local processes)', { concurrency: 2 }, () => {
  it('passes: v1 seeded, v2 migrates its rows (0004 backfilled), same fingerprint, reads pass, second migrate a no-op; every criterion ✅', async () => {
    const run = await sampleGate('');
    assert.equal(run.code, 0, run.evidence);
    for (const title of TITLES) assert.match(run.line(title), /✅/, `${title}: ${run.line(title)}\n${run.evidence}`);
    assert.match(run.line('Upgrade'), /✅ Upgrade: candidate migrated the previous release's data: fingerprint unchanged/);
    // v1 applied 0001–0003 only; the candidate applied 0004 on v1's rows, then had nothing to do.
    assert.doesNotMatch(run.drill.split('=== [4/13]')[0] ?? '', /0004_exam_session/);
    assert.match(run.drill, /Applying 0004_exam_session\.\.\. OK/);
    assert.match(run.drill.split('=== [12/13]')[1] ?? '', /No migrations to apply/);
    assert.match(run.drill, /exams → GET \/api\/exams\/ 200/);
    const timing = /timing: (.*)$/m.exec(run.drill)?.[1];
    console.log(`upgrade drill (local, healthy): gate wall ${(run.wallMs / 1000).toFixed(1)}s; ${timing}`);
    assert.deepEqual(processesWith(run.dataDir), []);
  });

  it('KORRIGO_LITE_FAULT=upgrade-breaks-data: exactly Upgrade ❌, naming the migrate that failed on v1 data', async () => {
    const run = await sampleGate('upgrade-breaks-data');
    assert.equal(run.code, 1, run.evidence);
    assert.match(
      run.line('Upgrade'),
      /❌ Upgrade: the candidate's migrate failed on the previous release's data: exit code 1 \(last: ERROR .*Migration 0004_exam_session failed: column "session" of relation "exams" contains null values/,
      run.evidence,
    );
    for (const title of TITLES.filter((t) => t !== 'Upgrade')) assert.match(run.line(title), /✅/, `${title}: ${run.line(title)}\n${run.evidence}`);
    assert.equal(run.summary.split('\n').filter((l) => l.includes('❌')).length, 1, run.evidence);
    assert.deepEqual(processesWith(run.dataDir), []);
  });
});
