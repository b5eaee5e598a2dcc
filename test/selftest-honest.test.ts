// `release-gate selftest` says what it could not do: a healthy run that fails stops it with the
// reason on the report's first line; the live run boots the way the healthy one did (its build
// included); a live mutation the live run never reached reads "not run: <why>", and the
// requests the healthy run sent with credentials always get a row. Real processes (the local
// driver), real HTTP, the bundled CLI.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort, marker, processesWith, runCli, tempDir, writeConfig } from './helpers.js';

/**
 * A tiny app: GET /health; POST /login sets a session cookie; GET /api/items needs it (403
 * without). Each start counts itself in BOOTS_FILE; from boot FAIL_LOGIN_FROM_BOOT on (the live
 * run is the second boot), POST /login answers 500.
 */
const SERVER = `import { createServer } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
const file = process.env.BOOTS_FILE;
const boot = (existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0) + 1;
writeFileSync(file, String(boot));
const failFrom = Number(process.env.FAIL_LOGIN_FROM_BOOT || 0);
createServer((req, res) => {
  console.log(req.method + ' ' + req.url);
  if (req.url === '/health') return res.end('ok');
  if (req.url === '/login' && req.method === 'POST') {
    if (failFrom > 0 && boot >= failFrom) { res.statusCode = 500; return res.end('login broken'); }
    res.setHeader('set-cookie', 'sessionid=s3ss10nvalue; Path=/; HttpOnly');
    res.setHeader('content-type', 'application/json');
    return res.end('{"ok":true}');
  }
  if (req.url === '/api/items') {
    if (!(req.headers.cookie || '').includes('sessionid=s3ss10nvalue')) { res.statusCode = 403; return res.end('forbidden'); }
    res.setHeader('content-type', 'application/json');
    return res.end('[1,2]');
  }
  res.statusCode = 404;
  res.end('not found');
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

interface SelftestJson {
  passed: boolean;
  stopped?: string;
  rows: { criterion: string; mutation: string; caught: boolean; live?: boolean; detail: string; notRun?: string }[];
  criteria: { id: string; caught: boolean; why?: string; notProven?: boolean }[];
}

/**
 * A gate over that app. `build`: the service runs build/server.js, which only its build step
 * writes, and the clean phase removes it first (a clean checkout has none).
 */
function gateConfig(o: { dir: string; port: number; mark: string; build: boolean; failLoginFromBoot: number }): string {
  const env = { PORT: String(o.port), BOOTS_FILE: join(o.dir, 'boots'), FAIL_LOGIN_FROM_BOOT: String(o.failLoginFromBoot), MARKER: o.mark };
  const script = o.build ? 'build/server.js' : 'server-src.mjs';
  return `
name: selftest-honest
baseUrl: http://127.0.0.1:${o.port}
criteria: { ${o.build ? 'build: Build, ' : ''}boot: Boot, stability: Stability, e2e: E2E }
stack:
  driver: local
  services:
    web:
      command: [node, ${script}, --marker=${o.mark}]
      env: ${JSON.stringify(env)}
      healthcheck: { http: "http://127.0.0.1:${o.port}/health", interval: 200ms, retries: 50 }
      restart: always
      ports: [${o.port}]
${o.build ? '      build: { command: [sh, -c, "mkdir -p build && cp server-src.mjs build/server.js"], outputs: [build] }\n' : ''}phases:
  - id: clean
    steps:
      - { log: 00_down, do: down, volumes: true }
${o.build ? `      - { log: 00_clean_build, do: host, run: [rm, -rf, ${JSON.stringify(join(o.dir, 'build'))}] }\n  - id: A\n    steps: [{ log: 01_build, do: build, noCache: true, criterion: build }]\n` : ''}  - id: boot
    steps:
      - { log: 02_up, do: up }
      - { log: 03_ps, do: ps, ready: true, timeout: 20s, criterion: boot }
      - { log: "04_stability_{window}s", do: stability, window: 2s, criterion: stability }
  - id: e2e
    steps:
      - log: 05_e2e
        do: scenario
        criterion: e2e
        scenario:
          each:
            - { name: login, request: { method: POST, url: /login } }
            - { name: items, request: { url: /api/items } }
  - id: summary
    always: true
    steps: [{ log: 08_summary, do: summary }]
`;
}

async function selftest(o: { build?: boolean; failLoginFromBoot?: number }) {
  const dir = tempDir('rg-selftest-honest-');
  const logDir = join(dir, 'logs');
  const mark = marker();
  const port = await freePort();
  writeFileSync(join(dir, 'server-src.mjs'), SERVER);
  const config = writeConfig(dir, gateConfig({ dir, port, mark, build: Boolean(o.build), failLoginFromBoot: o.failLoginFromBoot ?? 0 }));
  try {
    // ROOT pinned to the temp dir: the build, the clean and the services work there only.
    const run = await runCli(['selftest', '--config', config, '--log-dir', logDir], { cwd: dir, env: { ROOT: dir } });
    const output = run.stdout + run.stderr;
    const json = existsSync(join(logDir, 'selftest.json')) ? (JSON.parse(readFileSync(join(logDir, 'selftest.json'), 'utf8')) as SelftestJson) : null;
    const read = (name: string) => (existsSync(join(logDir, name)) ? readFileSync(join(logDir, name), 'utf8') : '');
    const report = read('selftest.log');
    const liveBuildLog = read('selftest-live/01_build.log');
    assert.deepEqual(processesWith(mark), [], 'processes left running');
    return { code: run.code, output, logDir, json, report, liveBuildLog, liveRan: existsSync(join(logDir, 'selftest-live')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The selftest table's lines: from the line that says whether the healthy run passed. */
const selftestLines = (output: string) => output.slice(output.search(/^SELFTEST( STOPPED)?:/m)).split('\n');

describe('release-gate selftest says what it could not do', () => {
  it('stops when the healthy run fails: the reason on its first line, no row MISSED, the gate exit code', async () => {
    const run = await selftest({ failLoginFromBoot: 1 });
    assert.equal(run.code, 1, run.output.split('\n').slice(-30).join('\n'));
    const first = /^SELFTEST STOPPED: the healthy run did not pass \(failed\): 05_e2e\.log: .*POST \/login → 500/;
    assert.match(selftestLines(run.output)[0] ?? '', first);
    assert.match(run.report.split('\n')[0] ?? '', first);
    assert.doesNotMatch(run.output, /MISSED|not isolated|vacuous/);
    assert.equal(run.liveRan, false, 'no live run after a failed healthy run');
    const json = run.json as SelftestJson;
    assert.equal(json.passed, false);
    assert.deepEqual(json.rows, []);
    assert.match(json.stopped ?? '', /05_e2e\.log/);
  });

  it("boots the live run the way the healthy one did: a service that runs its build's output is killed and caught", async () => {
    const run = await selftest({ build: true });
    assert.equal(run.code, 0, run.output.split('\n').slice(-40).join('\n'));
    const lines = selftestLines(run.output);
    assert.match(lines[0] ?? '', /^SELFTEST: the healthy run passed/);
    assert.ok(lines.some((l) => /^Stability\s+caught\s+live: SIGKILL of web's main process during the watch/.test(l)), lines.join('\n'));
    assert.doesNotMatch(run.output, /MISSED|not run:|vacuous/);
    const json = run.json as SelftestJson;
    assert.equal(json.criteria.find((c) => c.id === 'stability')?.caught, true);
    // The live run built again (with the cache) before it booted.
    assert.match(run.liveBuildLog, /building web/);
  });

  it('lists the requests sent with credentials as "not run" when the live run stops early, and E2E is not caught from them', async () => {
    // The live run is the app's second boot: its login answers 500, the scenario stops at once.
    const run = await selftest({ failLoginFromBoot: 2 });
    assert.equal(run.code, 1, run.output.split('\n').slice(-40).join('\n'));
    const lines = selftestLines(run.output);
    assert.match(lines[0] ?? '', /^SELFTEST: the healthy run passed/);
    const credential = lines.find((l) => /live: items: GET \/api\/items without cookie sessionid/.test(l)) ?? '';
    assert.match(credential, /^E2E\s+not run\s+live: items: GET \/api\/items without cookie sessionid \(selftest-live\/05_e2e\.log\) → not run: the live run stopped at 05_e2e\.log before it \(05_e2e\.log: .*500/);
    assert.ok(lines.some((l) => /^Stability\s+not run\s+live: SIGKILL of a service during the watch .* → not run: the live run stopped at 05_e2e\.log/.test(l)), lines.join('\n'));
    assert.doesNotMatch(run.output, /MISSED|vacuous/);
    const json = run.json as SelftestJson;
    assert.equal(json.passed, false);
    const row = json.rows.find((r) => r.live && r.criterion === 'e2e');
    assert.equal(row?.caught, false);
    assert.match(row?.notRun ?? '', /stopped at 05_e2e\.log/);
    const e2e = json.criteria.find((c) => c.id === 'e2e');
    assert.equal(e2e?.caught, false);
    assert.equal(e2e?.notProven, true);
    assert.match(run.output, /^not proven \(a defect could not be injected\):\n(?: {2}.*\n)* {2}E2E: live: items: GET \/api\/items without cookie sessionid/m);
  });
});
