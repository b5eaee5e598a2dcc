// Needs a real Docker engine and the local debian:trixie-slim image (scripts/docker-engine.sh).
// Run alone: node --test dist/test/bundled-chromium.docker.test.js
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bundledChromium } from './bundled-chromium.js';
import { ROOT } from './helpers.js';

/*
 * Issue 25: `npm ci && npm test` on a fresh machine with nothing else installed. The report
 * test's browser (test/bundled-chromium.ts) runs in a bare Debian image, which has no
 * Chromium and none of its system libraries: only this checkout (read-only, at the same path)
 * and the node binary are mounted. playwright-core drives it as report-html.test.ts does.
 */

const IMAGE = 'debian:trixie-slim';

function inBareDebian(name: string, script: string, env: Record<string, string> = {}) {
  const args = ['run', '--rm', '--name', `rg-test-${name}-${process.pid}`, '--network', 'none', '-v', `${ROOT}:${ROOT}:ro`, '-v', `${process.execPath}:/usr/local/bin/node:ro`, '-w', ROOT];
  for (const [k, v] of Object.entries(env)) args.push('-e', `${k}=${v}`);
  return spawnSync('docker', [...args, IMAGE, 'bash', '-c', script], { encoding: 'utf8', timeout: 120_000 });
}

describe('the bundled Chromium on a bare Debian', () => {
  const browser = bundledChromium(); // unpacked on the host, into the mounted checkout

  it('needs libraries a bare Debian lacks, and finds every one of them in its own folder', () => {
    const bare = inBareDebian('ldd-bare', `ldd ${JSON.stringify(browser.executablePath)} | grep 'not found' || true`);
    assert.equal(bare.status, 0, bare.stderr);
    assert.match(bare.stdout, /libnss3\.so => not found/, 'the image is not bare: it has NSS');
    const own = inBareDebian('ldd-own', `ldd ${JSON.stringify(browser.executablePath)} | grep 'not found' || true`, browser.env);
    assert.equal(own.status, 0, own.stderr);
    assert.equal(own.stdout.trim(), '', 'libraries still missing with its own');
  });

  it('opens a page headless through playwright-core and takes a screenshot', () => {
    const script = `
import { bundledChromium } from ${JSON.stringify(join(ROOT, 'dist/test/bundled-chromium.js'))};
import { chromium } from ${JSON.stringify(join(ROOT, 'node_modules/playwright-core/index.mjs'))};
const b = bundledChromium();
const browser = await chromium.launch({ executablePath: b.executablePath, env: { ...process.env, ...b.env }, args: ['--no-sandbox', '--disable-gpu'], timeout: 60000 });
const page = await browser.newPage();
await page.setContent('<h1 id="x">fresh machine</h1>');
const png = await page.screenshot();
console.log(JSON.stringify({ text: await page.textContent('#x'), png: png.length, version: browser.version() }));
await browser.close();`;
    const r = inBareDebian('playwright', `test ! -e /usr/bin/chromium && node --input-type=module -e ${shellQuote(script)}`);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { text?: string; png?: number };
    assert.equal(out.text, 'fresh machine');
    assert.ok((out.png ?? 0) > 1000, `screenshot of ${out.png} bytes`);
  });
});

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
