import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, freePort, marker, processesWith, runCli, tempDir, withPresetComposeFile, writeConfig } from './helpers.js';

/*
 * The upgrade drill's mechanics on real processes (the local driver, the fixture server): the
 * previous release given as a variable reaches its services and commands, its data survives the
 * switch, the candidate runs after it; and an `ifPassed` phase on a failed gate does not run.
 * The data is a file in the service's data dir: the candidate's "migration" writes beside it.
 */
function drillGate(o: { port: number; marker: string; failAt: 'boot' | 'logs' | null; migrate: string }): string {
  return `
name: drill
baseUrl: http://127.0.0.1:${o.port}
criteria: { boot: Boot, upgrade: Upgrade }
stack:
  driver: local
  services:
    web:
      command: [node, ${JSON.stringify(join(FIXTURES, 'fixture-server.mjs'))}, --marker=${o.marker}]
      env: { PORT: "${o.port}", MARKER: ${o.marker} }
      healthcheck: { http: "http://127.0.0.1:${o.port}/health", interval: 200ms, retries: 25 }
      restart: always
      ports: [${o.port}]
      dataDirs: [data]
phases:
  - id: clean
    steps: [{ log: 00_down, do: down, volumes: true }]
  - id: boot
    steps:
      - { log: 01_up, do: up }
      - { log: 02_ps, do: ps, ready: true, timeout: 20s, criterion: boot }
      - { log: 03_check, do: exec, service: web, run: "exit ${o.failAt === 'boot' ? 1 : 0}", criterion: boot }
  - id: G
    always: true
    # failAt logs: the log scan fails in this always phase; the gate is failed, not stopped.
    steps: [{ log: 14_logs, do: logs, scan: { patterns: ['${o.failAt === 'logs' ? 'GET /health' : 'FATAL'}'] }, criterion: boot }]
  - id: U
    title: Upgrade drill
    ifPassed: true
    steps:
      - log: 19_upgrade_drill
        do: upgrade
        criterion: upgrade
        timeout: 60s
        previous: { env: { APP_RELEASE: v1 } }
        service: web
        ready: { url: /health, timeout: 10s, interval: 100ms }
        seed:
          - 'mkdir -p data && printf "rows: 3\\nwritten by: %s\\n" "$\${APP_RELEASE:-candidate}" > data/db.txt'
        migrate: ${JSON.stringify(o.migrate)}
        migrateCheck: 'grep -q "schema: 2" data/schema.txt'
        probe: 'cat data/db.txt'
        read:
          each:
            - { name: health, request: { url: /health }, expect: { status: 200 } }
  - id: H
    always: true
    steps: [{ log: 17_summary, do: summary }]
`;
}

async function drill(o: { failAt?: 'boot' | 'logs'; migrate?: string } = {}) {
  const dir = tempDir('rg-drill-');
  const opts = {
    port: await freePort(),
    marker: marker(),
    failAt: o.failAt ?? null,
    // Idempotent: the second migrate finds schema 2 and does nothing.
    migrate: o.migrate ?? 'test "$${APP_RELEASE:-candidate}" = candidate && (grep -q "schema: 2" data/schema.txt 2>/dev/null || echo "schema: 2" >> data/schema.txt)',
  };
  const config = writeConfig(dir, drillGate(opts));
  const logDir = join(dir, 'logs');
  const run = await runCli(['run', '--config', config, '--log-dir', logDir], { cwd: dir });
  const read = (name: string) => readFileSync(join(logDir, name), 'utf8');
  const summary = existsSync(join(logDir, '17_summary.log')) ? read('17_summary.log') : '';
  return { ...run, read, summary, logDir, opts, line: (title: string) => summary.split('\n').find((l) => l.includes(` ${title}:`)) ?? '' };
}

describe('upgrade drill on local processes', () => {
  it('starts the previous release by its variable, keeps its data for the candidate, judges every sub-step ✅, and leaves the candidate up until the teardown', async () => {
    const run = await drill();
    assert.equal(run.code, 0, `${run.stdout}\n${existsSync(join(run.logDir, '19_upgrade_drill.log')) ? run.read('19_upgrade_drill.log') : ''}`);
    const log = run.read("19_upgrade_drill.log");
    // The seed ran as the previous release (its variable in the exec env); the probe read it as the candidate.
    assert.match(log, /=== \[3\/13\] previous seed/);
    assert.equal(log.match(/written by: v1/g)?.length, 3, 'before, after and again: the previous release\'s row, read three times');
    for (const header of ['previous up', 'keep data', 'candidate up', 'migrate', 'migrate check', 'probe after', 'read', 'second migrate', 'probe again']) {
      assert.match(log, new RegExp(`✓ ${header} \\(`), header);
    }
    assert.match(log, /release variables: APP_RELEASE/);
    assert.match(run.line('Upgrade'), /✅ Upgrade: candidate migrated the previous release's data: fingerprint unchanged/);
    // The teardown stopped the candidate the drill left up.
    assert.deepEqual(processesWith(run.opts.marker), []);
  });

  it("fails Upgrade when the candidate's migrate loses a row, naming the change", async () => {
    const run = await drill({ migrate: 'sed -i "/rows/d" data/db.txt; echo "schema: 2" > data/schema.txt' });
    assert.equal(run.code, 1);
    assert.match(run.line('Upgrade'), /❌ Upgrade: the fingerprint changed: -rows: 3/);
    assert.match(run.read('19_upgrade_drill.log'), /✗ the fingerprint changed \(previous release → candidate\)/);
    assert.match(run.line('Boot'), /✅/);
    assert.deepEqual(processesWith(run.opts.marker), []);
  });

  for (const [failAt, failed] of [['boot', '03_check.log'], ['logs', '14_logs.log']] as const) {
    it(`does not run on a gate that already failed (${failAt === 'boot' ? 'a main phase stopped it' : 'its log capture failed'}): 19_upgrade_drill reads "not run", Upgrade is neither ✅ nor ❌`, async () => {
      const run = await drill({ failAt });
      assert.equal(run.code, 1);
      assert.match(run.line('Boot'), /❌/);
      const summary = JSON.parse(run.read('summary.json')) as { steps: { log: string; status: string; detail: string }[]; criteria: { id: string; passed: boolean; notJudged?: boolean }[] };
      const step = summary.steps.find((s) => s.log === '19_upgrade_drill.log');
      assert.equal(step?.status, 'not-run');
      assert.equal(step?.detail, `not run: it runs only on a passing gate (${failed} did not pass)`);
      const upgrade = summary.criteria.find((c) => c.id === 'upgrade');
      assert.equal(upgrade?.passed, false);
      assert.equal(upgrade?.notJudged, true, JSON.stringify(upgrade));
      assert.doesNotMatch(run.summary, /❌ Upgrade/);
      assert.deepEqual(processesWith(run.opts.marker), []);
    });
  }
});

describe('upgrade drill: where the previous release comes from', () => {
  it('the korrigo preset offers the drill off until a previous release is given: n/a with what to set; KORRIGO_PREVIOUS_REF turns it on (compose)', async () => {
    const dir = withPresetComposeFile(tempDir('rg-drill-plan-'));
    const unset = await runCli(['plan', '--preset', 'korrigo'], { cwd: dir });
    assert.equal(unset.code, 0, unset.stderr);
    assert.match(unset.stdout, /n\/a 19_upgrade_drill\.log .*\(not applicable: no previous release given \(set KORRIGO_PREVIOUS_REF\)\)/);
    const ref = await runCli(['plan', '--preset', 'korrigo'], { cwd: dir, env: { KORRIGO_PREVIOUS_REF: 'v1.0.0' } });
    assert.equal(ref.code, 0, ref.stderr);
    assert.match(ref.stdout, /• +19_upgrade_drill\.log +upgrade +Upgrade drill: previous release \(git ref v1\.0\.0\) → candidate, data kept/);
    assert.doesNotMatch(ref.stdout, /n\/a 19_upgrade_drill/);
  });

  it('refuses at load a ref git would read as an option, naming previous.ref (exit 2)', async () => {
    const dir = withPresetComposeFile(tempDir('rg-drill-plan-'));
    const bad = await runCli(['plan', '--preset', 'korrigo'], { cwd: dir, env: { KORRIGO_PREVIOUS_REF: '--output=/tmp/x' } });
    assert.equal(bad.code, 2, bad.stdout);
    assert.match(bad.stderr, /previous\.ref: git ref "--output=\/tmp\/x" refused: it starts with "-"/);
  });

  it('on local processes a git ref is n/a, saying why (their commands are the candidate\'s)', async () => {
    const dir = tempDir('rg-drill-plan-');
    const config = writeConfig(dir, drillGate({ port: 1, marker: 'm', failAt: null, migrate: 'true' }).replace('previous: { env: { APP_RELEASE: v1 } }', 'previous: { ref: v1.0.0 }'));
    const plan = await runCli(['plan', '--config', config], { cwd: dir });
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /n\/a 19_upgrade_drill\.log .*not applicable: the local driver cannot build a previous release from a git ref/);
  });
});
