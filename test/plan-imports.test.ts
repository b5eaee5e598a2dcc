import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI, ROOT, tempDir } from './helpers.js';

/*
 * `plan` and `--version` load only what they need (issue "Speed": plan ≤ 2× `node -e ''` is
 * measured by `npm run bench`; this test keeps the heavy libraries of running steps out of them).
 * A module-resolution hook of Node's own records every package the command imports, and at
 * exit the CommonJS module cache lists every package it required (lazyRequire loads libraries
 * with require(), which the ESM hook never sees).
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

function packagesLoadedBy(args: string[], env: NodeJS.ProcessEnv = process.env): Set<string> {
  const r = spawnSync(process.execPath, ['--import', HOOK, CLI, ...args], { cwd: ROOT, encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  return new Set([...r.stderr.matchAll(/^RG-PACKAGE (\S+)$/gm)].map((m) => m[1] as string));
}

/** Needed only once a step runs: an XML parser/builder, a cookie jar (and its public-suffix list), a diff, the Docker API, a browser. */
const RUN_ONLY = ['fast-xml-parser', 'tough-cookie', 'tldts', 'diff', 'dockerode', 'playwright-core'];

describe('plan and --version load no library only a running step needs', () => {
  it('plan of the sample: the config libraries, none of the run-time ones; no YAML parser once the files are in the parse cache', () => {
    const env = { ...process.env, RELEASE_GATE_CACHE: tempDir('rg-test-plan-cache-') };
    const plan = ['plan', '--config', join(ROOT, 'examples/korrigo-lite/release-gate.yml')];
    const first = packagesLoadedBy(plan, env);
    assert.ok(first.has('yaml') && first.has('zod'), `expected yaml and zod among ${[...first].join(', ')}`);
    assert.deepEqual(RUN_ONLY.filter((p) => first.has(p)), []);
    const warm = packagesLoadedBy(plan, env);
    assert.ok(warm.has('zod') && !warm.has('yaml'), `expected zod and no yaml among ${[...warm].join(', ')}`);
  });

  it('--version: no config library either (at most the flag parser)', () => {
    assert.deepEqual([...packagesLoadedBy(['--version'])].filter((p) => p !== 'commander'), []);
  });
});
