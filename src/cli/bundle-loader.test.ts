import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { testDir } from '../common/test-dir.fixture.js';

/*
 * Real files, real V8 code caches, and a fresh process per load, as in use: within one process
 * V8 reuses its own compilation of a source it has seen and ignores the stored code, which would
 * make every load here look like a hit.
 */

const LOADER = new URL('./bundle-loader.js', import.meta.url).href;

interface Load {
  cache: string;
  value: string;
  here: string;
  strict: boolean;
  stack: string;
}

/** Loads the bundle in a new process, calls what it exports, and saves the compiled code as launch.ts does. */
function loadInNewProcess(file: string, cacheDir: string | null, nodeFlags: string[] = []): Load {
  const script = `
    import { loadBundle } from ${JSON.stringify(LOADER)};
    const b = loadBundle(${JSON.stringify(file)}, ${JSON.stringify(cacheDir)});
    let stack = '';
    try { b.exports.fails(); } catch (err) { stack = err.stack; }
    process.stdout.write(JSON.stringify({ cache: b.cache, value: b.exports.value(), here: b.exports.here, strict: b.exports.strict, stack }));
    b.save();`;
  const r = spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Load;
}

const work = () => testDir('rg-bundle-loader-');
/** A bundle whose `value()` returns `tag`: the same length for any tag of the same length. */
function bundle(dir: string, tag: string): string {
  const file = join(dir, 'cli.cjs');
  writeFileSync(
    file,
    [
      `exports.value = () => '${tag}';`,
      "exports.here = require('node:path').basename(__dirname) + '/' + require('node:path').basename(__filename);",
      'exports.strict = (function () { return this === undefined; })();',
      "exports.fails = () => { throw new Error('from line 4'); };",
      '',
    ].join('\n'),
  );
  return file;
}
const codeFiles = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('code-'));

describe('loadBundle', () => {
  it('compiles on a miss, stores the compiled code once, and runs from it on the next load', () => {
    const dir = work();
    const file = bundle(dir, 'one');
    assert.deepEqual([loadInNewProcess(file, dir).cache, loadInNewProcess(file, dir).cache, loadInNewProcess(file, dir).cache], ['miss', 'hit', 'hit']);
    assert.equal(codeFiles(dir).length, 1);
    assert.equal(loadInNewProcess(file, dir).value, 'one');
  });

  it('never runs the stored code of another bundle of the same length (V8 alone would accept it)', () => {
    const dir = work();
    assert.equal(loadInNewProcess(bundle(dir, 'old'), dir).value, 'old');
    const rebuilt = loadInNewProcess(bundle(dir, 'new'), dir);
    assert.equal(rebuilt.cache, 'miss');
    assert.equal(rebuilt.value, 'new');
    assert.equal(codeFiles(dir).length, 2);
  });

  it('keeps one entry per set of Node flags: running with and without them does not overwrite each other', () => {
    const dir = work();
    const file = bundle(dir, 'flg');
    const flagged = ['--no-warnings'];
    const loads = [loadInNewProcess(file, dir), loadInNewProcess(file, dir, flagged), loadInNewProcess(file, dir), loadInNewProcess(file, dir, flagged)];
    assert.deepEqual(loads.map((l) => l.cache), ['miss', 'miss', 'hit', 'hit']);
    assert.equal(codeFiles(dir).length, 2);
  });

  it('runs a bundle whose stored code V8 refuses, and stores it again', () => {
    const dir = work();
    const file = bundle(dir, 'abc');
    loadInNewProcess(file, dir);
    const [stored] = codeFiles(dir);
    writeFileSync(join(dir, stored as string), 'not compiled code at all');
    const refused = loadInNewProcess(file, dir);
    assert.equal(refused.cache, 'rejected');
    assert.equal(refused.value, 'abc');
    assert.equal(loadInNewProcess(file, dir).cache, 'hit');
  });

  it('without a cache folder: compiles every time and stores nothing', () => {
    const dir = work();
    const file = bundle(dir, 'off');
    assert.deepEqual([loadInNewProcess(file, null).cache, loadInNewProcess(file, null).cache], ['off', 'off']);
    assert.deepEqual(codeFiles(dir), []);
  });

  it('gives the module what Node does: require, __filename, __dirname, sloppy mode unless asked, the file:line of a throw', () => {
    const dir = work();
    const file = bundle(dir, 'env');
    for (const loaded of [loadInNewProcess(file, dir), loadInNewProcess(file, dir), loadInNewProcess(file, null)]) {
      assert.equal(loaded.here, `${dir.split('/').pop()}/cli.cjs`);
      assert.equal(loaded.strict, false, 'a CommonJS file is sloppy unless it says "use strict" (the bundle does: scripts/bundle.mjs)');
      assert.ok(loaded.stack.includes(`${file}:4:`), loaded.stack);
    }
  });
});
