import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI, MODULES_CLI, ROOT, tempDir } from './helpers.js';

/*
 * `plan` and `--version` load only what they need (issue "Speed": plan ≤ 2× `node -e ''` is
 * measured by `npm run bench`; this test keeps the heavy libraries of running steps out of them).
 * A module-resolution hook of Node's own records every package the command imports, and at
 * exit the CommonJS module cache lists every package it required (lazyRequire loads libraries
 * with require(), which the ESM hook never sees). Both entries: the installed command (the
 * bundle, where zod and commander are inside and only lazyRequire'd libraries come from
 * node_modules) and the compiled modules.
 */
const HOOK = `data:text/javascript,${encodeURIComponent(`
import { createRequire, register } from 'node:module';
const commonJs = createRequire(process.cwd() + '/').cache;
process.on('exit', () => {
  // Code only: a package.json read for a version loads no library.
  for (const file of Object.keys(commonJs).filter((f) => !f.endsWith('.json'))) {
    const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file);
    if (m) process.stderr.write('RG-PACKAGE ' + m[1] + '\\n');
  }
});
register('data:text/javascript,' + encodeURIComponent(\`
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const m = /node_modules\\\\/((?:@[^/]+\\\\/)?[^/]+)/.exec(resolved.url);
  if (m) process.stderr.write('RG-PACKAGE ' + m[1] + '\\\\n');
  return resolved;
}\`));
`)}`;

function packagesLoadedBy(cli: string, args: string[], env: NodeJS.ProcessEnv = process.env): Set<string> {
  const r = spawnSync(process.execPath, ['--import', HOOK, cli, ...args], { cwd: ROOT, encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  return new Set([...r.stderr.matchAll(/^RG-PACKAGE (\S+)$/gm)].map((m) => m[1] as string));
}

/** Needed only once a step runs: an XML parser/builder, a cookie jar (and its public-suffix list), a diff, the Docker API, a browser. */
const RUN_ONLY = ['fast-xml-parser', 'tough-cookie', 'tldts', 'diff', 'dockerode', 'playwright-core'];

describe('plan and --version load no library only a running step needs', () => {
  const plan = ['plan', '--config', join(ROOT, 'examples/korrigo-lite/release-gate.yml')];

  it('plan of the sample, installed command: the YAML parser on a first plan only, none of the run-time libraries', () => {
    const env = { ...process.env, RELEASE_GATE_CACHE: tempDir('rg-test-plan-cache-') };
    const first = packagesLoadedBy(CLI, plan, env);
    assert.deepEqual([...first], ['yaml']);
    const warm = packagesLoadedBy(CLI, plan, env);
    assert.deepEqual([...warm], []);
  });

  it('plan of the sample, compiled modules: the config libraries, none of the run-time ones; no YAML parser once the files are in the parse cache', () => {
    const env = { ...process.env, RELEASE_GATE_CACHE: tempDir('rg-test-plan-cache-') };
    const first = packagesLoadedBy(MODULES_CLI, plan, env);
    assert.ok(first.has('yaml') && first.has('zod'), `expected yaml and zod among ${[...first].join(', ')}`);
    assert.deepEqual(RUN_ONLY.filter((p) => first.has(p)), []);
    const warm = packagesLoadedBy(MODULES_CLI, plan, env);
    assert.ok(warm.has('zod') && !warm.has('yaml'), `expected zod and no yaml among ${[...warm].join(', ')}`);
  });

  it('--version: no library at all (the bundle is not even read); the compiled modules at most the flag parser', () => {
    assert.deepEqual([...packagesLoadedBy(CLI, ['--version'])], []);
    assert.deepEqual([...packagesLoadedBy(MODULES_CLI, ['--version'])].filter((p) => p !== 'commander'), []);
  });
});
