import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, freePort, marker, processesWith, runCli, tempDir, writeConfig } from './helpers.js';

/*
 * The upgrade drill's mechanics on real processes (the local driver, the fixture server): the
 * previous release given as a variable reaches its services and commands, its data survives the
 * switch, the candidate runs after it; and an `ifPassed` phase on a failed gate does not run.
 * The data is a file in the service's data dir: the candidate's "migration" writes beside it.
 */
function drillGate(o: { port: number; marker: string; failFirst: boolean; migrate: string }): string {
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
      - { log: 03_check, do: exec, service: web, run: "exit ${o.failFirst ? 1 : 0}", criterion: boot }
  - id: G
    always: true
    steps: [{ log: 14_logs, do: logs }]
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

async function drill(o: { failFirst?: boolean; migrate?: string } = {}) {
  const dir = tempDir('rg-drill-');
  const opts = {
    port: await freePort(),
    marker: marker(),
    failFirst: o.failFirst ?? false,
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

  it('does not run on a gate that already failed: 19_upgrade_drill reads "not run", Upgrade is neither ✅ nor ❌', async () => {
    const run = await drill({ failFirst: true });
    assert.equal(run.code, 1);
    assert.match(run.line('Boot'), /❌/);
    const summary = JSON.parse(run.read('summary.json')) as { steps: { log: string; status: string; detail: string }[]; criteria: { id: string; passed: boolean; notJudged?: boolean }[] };
    const step = summary.steps.find((s) => s.log === '19_upgrade_drill.log');
    assert.equal(step?.status, 'not-run');
    assert.match(step?.detail ?? '', /^not run: it runs only on a passing gate \(03_check\.log did not pass\)/);
    const upgrade = summary.criteria.find((c) => c.id === 'upgrade');
    assert.equal(upgrade?.passed, false);
    assert.equal(upgrade?.notJudged, true);
    assert.doesNotMatch(run.summary, /❌ Upgrade/);
    assert.deepEqual(processesWith(run.opts.marker), []);
  });
});
