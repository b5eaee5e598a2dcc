/*
 * report.html of real runs (one passing, one failing), opened in a real headless Chromium
 * (the one the devDependency @sparticuz/chromium ships, or RG_CHROMIUM; test/bundled-chromium.ts)
 * through playwright-core over HTTP on 127.0.0.1: key elements, no console error, no broken
 * link, a screenshot in the log dir. A browser that cannot start fails this test: never a skip.
 */
import { after, before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { testBrowser } from './bundled-chromium.js';
import { FIXTURES, freePort, runCli, tempDir, writeConfig } from './helpers.js';

const SECRET = 'wrong-token-4b1d9e77';

/** A real gate on the fixture service: a stability window spanning later steps, a wait that passes or fails. */
async function gate(failing: boolean): Promise<{ logDir: string; code: number | null; out: string }> {
  const dir = tempDir();
  const port = await freePort();
  const config = writeConfig(
    dir,
    `name: report-${failing ? 'failing' : 'passing'}
baseUrl: http://127.0.0.1:${port}
criteria: { boot: Boot, stability: Stability, metrics: Metrics, check: Check }
secrets: { env: [METRICS_TOKEN] }
stack:
  driver: local
  services:
    web:
      command: [node, ${JSON.stringify(join(FIXTURES, 'fixture-server.mjs'))}]
      env: { PORT: "${port}", METRICS_TOKEN: right-token-0c5e2a91 }
      healthcheck: { http: "http://127.0.0.1:${port}/health", interval: 100ms, retries: 50 }
      ports: [${port}]
phases:
  - id: B
    steps:
      - { log: 01_up, do: up }
      - { log: 02_ps, do: ps, ready: true, timeout: 20s, criterion: boot }
      - { log: 03_wait_health, do: wait-http, url: /health, timeout: 10s }
      - { log: "04_stability_{window}s", do: stability, window: 1s, criterion: stability }
      - { log: 05_wait_metrics, do: wait-http, url: /metrics, headers: { X-Metrics-Token: "\${METRICS_TOKEN}" }, interval: 100ms, timeout: 10s, service: web, criterion: metrics }
  - id: C
    steps:
      - { log: 06_check, do: host, run: [node, -e, "setTimeout(() => console.log('checked'), 300)"], criterion: check }
  - id: G
    always: true
    steps: [{ log: 07_logs, do: logs }]
  - id: H
    always: true
    steps: [{ log: 08_summary, do: summary }]
`,
  );
  const logDir = join(dir, 'logs');
  const run = await runCli(['run', '--config', config, '--log-dir', logDir], { cwd: dir, env: { METRICS_TOKEN: failing ? SECRET : 'right-token-0c5e2a91' } });
  return { logDir, code: run.code, out: run.stdout + run.stderr };
}

/** A real gate whose E2E scenario is refused: POST /api/annotations → 400 JSON (with a secret in it); partial (`--skip`). */
async function refusedScenarioGate(): Promise<{ logDir: string; code: number | null; out: string; port: number }> {
  const dir = tempDir();
  const port = await freePort();
  const config = writeConfig(
    dir,
    `name: report-refused
baseUrl: http://127.0.0.1:${port}
criteria: { boot: Boot, e2e: E2E }
secrets: { env: [METRICS_TOKEN] }
stack:
  driver: local
  services:
    web:
      command: [node, ${JSON.stringify(join(FIXTURES, 'fixture-server.mjs'))}]
      env: { PORT: "${port}", ANNOTATION_ECHO: "\${METRICS_TOKEN}" }
      healthcheck: { http: "http://127.0.0.1:${port}/health", interval: 100ms, retries: 50 }
      ports: [${port}]
phases:
  - id: B
    steps:
      - { log: 01_up, do: up }
      - { log: 02_ps, do: ps, ready: true, timeout: 20s, criterion: boot }
      - { log: 03_extra, do: host, run: [node, --version] }
  - id: E
    steps:
      - log: "04_e2e_{runs}runs"
        do: scenario
        criterion: e2e
        scenario:
          title: E2E
          runs: 3
          each:
            - { name: annotate, request: { method: POST, url: /api/annotations, json: { page: 1 } }, expect: { status: 201 } }
  - id: H
    always: true
    steps: [{ log: 05_summary, do: summary }]
`,
  );
  const logDir = join(dir, 'logs');
  const run = await runCli(['run', '--config', config, '--log-dir', logDir, '--skip', '03_extra'], { cwd: dir, env: { METRICS_TOKEN: SECRET } });
  return { logDir, code: run.code, out: run.stdout + run.stderr, port };
}

/** The log dir over HTTP on loopback: what a CI artifact viewer or `python -m http.server` does. */
async function serve(dir: string): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1)) || 'report.html';
    const file = join(dir, name);
    if (name.includes('/') || name.startsWith('.') || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('content-type', name.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8');
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

interface Opened {
  page: Page;
  errors: string[];
  /** Each link's href and the status it answers. */
  links: { href: string; status: number }[];
}

async function open(context: BrowserContext, logDir: string, servers: Server[]): Promise<Opened> {
  const { server, base } = await serve(logDir);
  servers.push(server);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()}`));
  const response = await page.goto(`${base}report.html`, { waitUntil: 'load' });
  assert.equal(response?.status(), 200);
  await page.screenshot({ path: join(logDir, 'report.png'), fullPage: true });
  const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => (a as HTMLAnchorElement).href));
  const links = await Promise.all(hrefs.map(async (href) => ({ href, status: (await fetch(href)).status })));
  return { page, errors, links };
}

describe('report.html in headless Chromium', () => {
  let context: BrowserContext;
  const servers: Server[] = [];
  const profile = mkdtempSync(join(tmpdir(), 'rg-test-chromium-'));

  before(async () => {
    const browser = testBrowser();
    context = await chromium.launchPersistentContext(profile, {
      executablePath: browser.executablePath,
      env: { ...process.env, ...browser.env },
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await context?.close();
    for (const s of servers) s.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('a passing run: verdict, every step on the timeline with the stability watch spanning later steps, SVG icons, no console error, no broken link', async () => {
    const run = await gate(false);
    assert.equal(run.code, 0, run.out);
    const { page, errors, links } = await open(context, run.logDir, servers);
    const summary = JSON.parse(readFileSync(join(run.logDir, 'summary.json'), 'utf8')) as { steps: { id: string; startedAt?: string }[]; artifacts: string[] };

    assert.match(await page.textContent('#verdict') ?? '', /GATE PASSED — 4\/4 criteria passed/);
    const rows = await page.$$eval('#timeline .tl-row', (els) => els.map((el) => (el as HTMLElement).dataset['step']));
    assert.deepEqual(rows, summary.steps.map((s) => s.id));
    assert.equal(await page.locator('#timeline .tl-bar').count(), summary.steps.filter((s) => s.startedAt).length);
    // The watch runs from its step to the final verdict: its bar covers the steps after it.
    const watch = await page.locator('#timeline .tl-row[data-step="04_stability_{window}s"] .tl-bar').boundingBox();
    const check = await page.locator('#timeline .tl-row[data-step="06_check"] .tl-bar').boundingBox();
    assert.ok(watch && check, 'both bars are drawn');
    assert.ok(await page.locator('#timeline .tl-row[data-step="04_stability_{window}s"] .tl-bar.span').count() === 1, 'the watch is hatched as spanning');
    assert.ok(watch.x <= check.x && watch.x + watch.width >= check.x + check.width - 1, `watch ${JSON.stringify(watch)} spans check ${JSON.stringify(check)}`);
    // Icons are drawn shapes, not emoji characters that need a font.
    const icon = await page.locator('#criteria ~ table .icon.pass').first().boundingBox();
    assert.ok(icon && icon.width >= 10 && icon.height >= 10, `icon box ${JSON.stringify(icon)}`);
    assert.doesNotMatch(await page.innerText('body'), /[✅❌]/u);
    assert.equal(await page.locator('#failures').count(), 0);

    assert.deepEqual(errors, []);
    assert.ok(links.length >= 8, `links: ${links.length}`);
    for (const l of links) assert.equal(l.status, 200, `broken link ${l.href}`);
    const linked = new Set(links.map((l) => decodeURIComponent(new URL(l.href).pathname.slice(1))));
    for (const name of summary.artifacts) assert.ok(linked.has(name), `artifact ${name} not linked`);
    assert.ok(statSync(join(run.logDir, 'report.png')).size > 10_000, 'screenshot written');
  });

  it('a failing run: the failed wait with its response body and a curl replay holding $METRICS_TOKEN (never the value), logs never written are not linked', async () => {
    const run = await gate(true);
    assert.equal(run.code, 1, run.out);
    const { page, errors, links } = await open(context, run.logDir, servers);

    assert.match(await page.textContent('#verdict') ?? '', /GATE FAILED/);
    const card = page.locator('#failures .failure[data-step="05_wait_metrics"]');
    assert.equal(await card.count(), 1);
    assert.match(await card.innerText(), /403 3 times in a row: token rejected/);
    assert.equal((await card.locator('pre.body').innerText()).trim(), 'forbidden');
    const curl = await card.locator('pre.curl').innerText();
    assert.match(curl, /^curl .* -H 'X-Metrics-Token: '"\$METRICS_TOKEN" http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    assert.ok(!readFileSync(join(run.logDir, 'report.html'), 'utf8').includes(SECRET), 'the secret is not in report.html');
    // 06_check never ran: its name is shown, not linked, and its log does not exist.
    assert.equal(existsSync(join(run.logDir, '06_check.log')), false);
    assert.equal(await page.locator('#timeline .tl-row[data-step="06_check"] a').count(), 0);
    assert.equal(await page.locator('#timeline .tl-row[data-step="06_check"] .missing').count(), 1);

    assert.deepEqual(errors, []);
    assert.ok(links.length >= 5, `links: ${links.length}`);
    for (const l of links) assert.equal(l.status, 200, `broken link ${l.href}`);
    assert.ok(statSync(join(run.logDir, 'report.png')).size > 10_000, 'screenshot written');
  });

  it('a refused E2E request: the console and "What failed" show method, URL, status, content type and the body (redacted); a failed partial verdict is red; e2e.runs counts runs started', async () => {
    const run = await refusedScenarioGate();
    assert.equal(run.code, 1, run.out);
    const url = `http://127.0.0.1:${run.port}/api/annotations`;
    const body = '{"detail":"Invalid annotation.","seen":"[REDACTED]"}';
    // The console, under the failed step's line.
    const lines = run.out.split('\n');
    const failed = lines.findIndex((l) => /✗ 04_e2e_3runs\.log/.test(l));
    assert.ok(failed >= 0, run.out);
    const under = lines.slice(failed + 1, failed + 4).join('\n');
    assert.ok(under.includes(`POST ${url} → 400 application/json`), under);
    assert.ok(under.includes(body), under);
    assert.ok(!run.out.includes(SECRET), 'the secret is not on the console');

    const summary = JSON.parse(readFileSync(join(run.logDir, 'summary.json'), 'utf8')) as { counts: Record<string, number>; complete: boolean };
    assert.equal(summary.counts['e2e.runs'], 1, 'one run started: the first failed run stops the others');
    assert.equal(summary.counts['e2e.runsPassed'], 0);
    assert.equal(summary.complete, false, 'partial: --skip');

    const { page, errors } = await open(context, run.logDir, servers);
    const card = page.locator('#failures .failure[data-step="04_e2e_{runs}runs"]');
    assert.equal(await card.count(), 1);
    const shown = await card.innerText();
    assert.ok(shown.includes(`POST ${url}`), shown);
    assert.match(shown, /400 application\/json/);
    assert.equal((await card.locator('pre.body').innerText()).trim(), body);
    assert.ok(!readFileSync(join(run.logDir, 'report.html'), 'utf8').includes(SECRET), 'the secret is not in report.html');
    // The verdict is failed (and partial): its dot is the failed red, never the partial amber.
    assert.match((await page.getAttribute('#verdict', 'class')) ?? '', /\bfailed\b.*\bpartial\b/);
    const dot = await page.$eval('#verdict', (el) => getComputedStyle(el, '::before').backgroundColor);
    assert.equal(dot, 'rgb(207, 34, 46)', `verdict dot ${dot}`);
    assert.deepEqual(errors, []);
  });
});
