import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI, MODULES_CLI, ROOT, tempDir } from './helpers.js';

/* The installed command (dist/bundle/cli/release-gate.cjs, built by scripts/bundle.mjs) against the compiled modules it is made of. */

/** The preset's compose file, which plan checks as run does. */
const composeFile = join(tempDir('rg-test-installed-compose-'), 'compose.yml');
writeFileSync(composeFile, 'services: {}\n');

function run(cli: string, args: string[], cache: string) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RELEASE_GATE_CACHE: cache, COMPOSE_FILE: composeFile } });
}
const codeFiles = (dir: string) => readdirSync(dir).filter((n) => /^code-[0-9a-f]{64}\.bin$/.test(n));

describe('the installed command', () => {
  // A fixed log folder: the default one is named after the second it is resolved.
  const plan = ['plan', '--preset', 'korrigo', '--log-dir', '/tmp/rg-test-installed-plan'];

  it('prints what the compiled modules print, and keeps its compiled code after the first run', () => {
    const cache = tempDir('rg-test-installed-');
    const fromModules = run(MODULES_CLI, plan, tempDir('rg-test-installed-modules-'));
    assert.equal(fromModules.status, 0, fromModules.stderr);
    const first = run(CLI, plan, cache);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.stdout, fromModules.stdout);
    const [stored] = codeFiles(cache);
    assert.ok(stored, `no compiled code in ${cache}: ${readdirSync(cache).join(', ')}`);
    const writtenAt = statSync(join(cache, stored)).mtimeMs;
    const second = run(CLI, plan, cache);
    assert.equal(second.stdout, fromModules.stdout);
    assert.deepEqual(codeFiles(cache), [stored]);
    assert.equal(statSync(join(cache, stored)).mtimeMs, writtenAt, 'a hit writes nothing');
  });

  it('is ASCII, so the launcher hands V8 one-byte text (a ✔ in a regex literal would make all of it two-byte)', () => {
    const text = readFileSync(join(ROOT, 'dist/bundle/cli/cli.cjs'), 'latin1');
    const at = text.search(/[^\x00-\x7f]/);
    assert.equal(at, -1, `non-ASCII near: ${text.slice(Math.max(0, at - 60), at + 10)} (write it as a \\u escape in the source)`);
  });

  it('--version answers without reading the bundle', () => {
    const cache = tempDir('rg-test-installed-');
    const r = run(CLI, ['--version'], cache);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
    assert.deepEqual(codeFiles(cache), []);
  });

  it('a config error is the same error, exit 2, from both', () => {
    const dir = tempDir('rg-test-installed-bad-');
    writeFileSync(join(dir, 'release-gate.yml'), 'name: 3\nstack: { driver: local, services: {} }\nphases: [{ id: a, steps: [{ log: x, do: host, run: 5 }] }]\n');
    const args = ['plan', '--config', join(dir, 'release-gate.yml')];
    const bundled = run(CLI, args, tempDir('rg-test-installed-'));
    const modules = run(MODULES_CLI, args, tempDir('rg-test-installed-'));
    assert.equal(bundled.status, 2);
    assert.equal(bundled.stderr, modules.stderr);
    assert.match(bundled.stderr, /:1:7 name: expected a string \(received 3\)/);
  });

  it('says what to do when the bundle was never built (exit 3)', () => {
    const root = tempDir('rg-test-installed-unbuilt-');
    mkdirSync(join(root, 'dist/bundle/cli'), { recursive: true });
    copyFileSync(join(ROOT, 'package.json'), join(root, 'package.json'));
    copyFileSync(CLI, join(root, 'dist/bundle/cli/release-gate.cjs'));
    const r = run(join(root, 'dist/bundle/cli/release-gate.cjs'), plan, tempDir('rg-test-installed-'));
    assert.equal(r.status, 3);
    assert.match(r.stderr, /dist\/bundle\/cli\/cli\.cjs is missing; run `npm run build`/);
  });
});
