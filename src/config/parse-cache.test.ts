import * as assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ParseCache, jsonExact } from './parse-cache.js';
import { testDir } from '../common/test-dir.fixture.js';

const freshDir = () => join(testDir('rg-parse-cache-'), 'cache');
const cacheIn = (dir: string, version = '2.9.1') => ParseCache.forEnvironment({ RELEASE_GATE_CACHE: dir }, version);

describe('ParseCache', () => {
  it('gives back the tree stored for the same text, and nothing for another text or parser version', () => {
    const dir = freshDir();
    const cache = cacheIn(dir);
    assert.equal(cache.enabled, true);
    const tree = { name: 'x', phases: [{ id: 'A', steps: [{ do: 'up', n: 3, ok: true, none: null }] }] };
    assert.equal(cache.get('name: x\n'), undefined);
    cache.put('name: x\n', tree);
    assert.deepEqual(cache.get('name: x\n'), tree);
    assert.equal(cache.get('name: x \n'), undefined);
    assert.equal(cacheIn(dir, '2.9.2').get('name: x\n'), undefined);
    // Another process (a new cache object) reads what this one wrote.
    assert.deepEqual(cacheIn(dir).get('name: x\n'), tree);
  });

  it('gives a `__proto__` key back as a key, as the YAML parser does, never as a prototype', () => {
    const cache = cacheIn(freshDir());
    const tree = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    cache.put('__proto__: { polluted: true }\na: 1\n', tree);
    const back = cache.get('__proto__: { polluted: true }\na: 1\n') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.ok(Object.hasOwn(back, '__proto__'));
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('stores no tree JSON would change: .inf, .nan, -0, a cycle, a Date', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    for (const tree of [{ a: Infinity }, { a: [NaN] }, { a: -0 }, cyclic, { at: new Date(0) }, { u: undefined }]) {
      assert.equal(jsonExact(tree), false);
      const dir = freshDir();
      cacheIn(dir).put('t', tree);
      assert.deepEqual(readdirSync(dir), []);
    }
    // Shared (not cyclic) nodes are fine: an alias used twice.
    const shared = { x: 1 };
    assert.equal(jsonExact({ a: shared, b: shared, c: [0, 1.5, 'x', false, null] }), true);
  });

  it('reads a truncated or foreign entry as a miss', () => {
    const dir = freshDir();
    const cache = cacheIn(dir);
    cache.put('a: 1\n', { a: 1 });
    const [name] = readdirSync(dir);
    writeFileSync(join(dir, name as string), '{"key": "');
    assert.equal(cache.get('a: 1\n'), undefined);
    // A well-formed entry under the wrong name: its key does not match the text's.
    writeFileSync(join(dir, name as string), JSON.stringify({ key: 'another', tree: { a: 2 } }));
    assert.equal(cache.get('a: 1\n'), undefined);
  });

  it('is off when asked, and for a folder others may write, a link, or one that cannot be created', () => {
    assert.equal(ParseCache.forEnvironment({ RELEASE_GATE_CACHE: 'off' }, 'v').enabled, false);
    const open = freshDir();
    mkdirSync(open, { mode: 0o700 });
    chmodSync(open, 0o777);
    assert.equal(cacheIn(open).enabled, false);
    const target = freshDir();
    mkdirSync(target, { mode: 0o700 });
    const link = `${target}-link`;
    symlinkSync(target, link);
    assert.equal(cacheIn(link).enabled, false);
    const file = join(testDir('rg-parse-cache-'), 'a-file');
    writeFileSync(file, '');
    assert.equal(cacheIn(join(file, 'cache')).enabled, false);
    // Off means a miss and a put that writes nothing, never an error.
    const off = cacheIn(open);
    off.put('a: 1\n', { a: 1 });
    assert.equal(off.get('a: 1\n'), undefined);
    assert.deepEqual(readdirSync(open), []);
  });

  it('keeps the 256 most recently written entries once past 512', () => {
    const dir = freshDir();
    const cache = cacheIn(dir);
    for (let i = 0; i < 512; i++) cache.put(`n: ${i}\n`, { n: i });
    assert.equal(readdirSync(dir).length, 512);
    // All of them older than the next one, whatever the file system's clock granularity.
    for (const name of readdirSync(dir)) utimesSync(join(dir, name), 1000, 1000);
    cache.put('n: last\n', { n: 'last' });
    assert.equal(readdirSync(dir).length, 256);
    assert.deepEqual(cache.get('n: last\n'), { n: 'last' });
  });
});
