import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI, ROOT } from './helpers.js';

/*
 * `plan` and `--version` load only what they need (issue "Speed": plan ≤ 2× `node -e ''` is
 * measured by `npm run bench`; this test keeps the heavy libraries of running steps out of them).
 * A module-resolution hook of Node's own records every package the command resolves.
 */
const HOOK = `data:text/javascript,${encodeURIComponent(`
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const m = /node_modules\\\\/((?:@[^/]+\\\\/)?[^/]+)/.exec(resolved.url);
  if (m) process.stderr.write('RG-PACKAGE ' + m[1] + '\\\\n');
  return resolved;
}\`));
`)}`;

function packagesLoadedBy(args: string[]): Set<string> {
  const r = spawnSync(process.execPath, ['--import', HOOK, CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return new Set([...r.stderr.matchAll(/^RG-PACKAGE (\S+)$/gm)].map((m) => m[1] as string));
}

/** Needed only once a step runs: an XML parser/builder, a cookie jar (and its public-suffix list), a diff, the Docker API, a browser. */
const RUN_ONLY = ['fast-xml-parser', 'tough-cookie', 'tldts', 'diff', 'dockerode', 'playwright-core'];

describe('plan and --version load no library only a running step needs', () => {
  it('plan of the sample: the config libraries, none of the run-time ones', () => {
    const loaded = packagesLoadedBy(['plan', '--config', join(ROOT, 'examples/korrigo-lite/release-gate.yml')]);
    assert.ok(loaded.has('yaml') && loaded.has('zod'), `expected yaml and zod among ${[...loaded].join(', ')}`);
    assert.deepEqual(RUN_ONLY.filter((p) => loaded.has(p)), []);
  });

  it('--version: no config library either (at most the flag parser)', () => {
    assert.deepEqual([...packagesLoadedBy(['--version'])].filter((p) => p !== 'commander'), []);
  });
});
