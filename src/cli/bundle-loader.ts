import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { pruneCacheEntries, writeCacheEntry } from '../common/cache-dir.js';

/** Changes whenever what is stored changes meaning. */
const FORMAT = 'release-gate code cache 1';
/** Bundles whose compiled code is kept (one per installed version, a few during development). */
const KEEP = 4;

export interface LoadedBundle<T> {
  exports: T;
  /** `hit`: compiled code read from the cache and accepted; `miss`: none stored; `rejected`: V8 refused what was stored; `off`: no cache folder. */
  cache: 'hit' | 'miss' | 'rejected' | 'off';
  /** Stores the compiled code (after the command ran, so the functions it compiled are in) unless it was a hit. */
  save(): void;
}

/**
 * Runs a CommonJS bundle (scripts/bundle.mjs builds the CLI into one) with V8's compiled code
 * kept between runs: Node 20 has no compile cache of its own (module.enableCompileCache is
 * Node 22), and compiling the bundle is a fifth of a `plan` (measured: 216 → 173 ms median).
 *
 * The stored code is keyed by the SHA-256 of the bundle's text, the Node version, the
 * architecture and Node's flags: V8 itself only checks the source's length and its own flags,
 * so a rebuilt bundle of the same length would otherwise run stale code. Compiled code is
 * code: the folder must be ours alone (common/cache-dir.ts); without one the bundle just
 * compiles each time. No ES module loader is given to the script: the bundle has no import()
 * (scripts/bundle.mjs refuses one).
 */
export function loadBundle<T>(file: string, cacheDir: string | null): LoadedBundle<T> {
  const bytes = readFileSync(file);
  // An ASCII bundle (scripts/bundle.mjs warns otherwise) becomes a one-byte string, which V8
  // scans faster: decoded as UTF-8, a single ✔ would make all of it two-byte.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  // Node's flags too: V8 refuses code compiled under other flags, and one entry per flag set
  // keeps two ways of running (with and without NODE_OPTIONS, say) from overwriting each other.
  const flags = `${process.execArgv.join(' ')}\0${process.env['NODE_OPTIONS'] ?? ''}`;
  const name = cacheDir ? `code-${createHash('sha256').update(`${FORMAT}\0${process.version}\0${process.arch}\0${flags}\0`).update(bytes).digest('hex')}.bin` : '';
  let cachedData: Buffer | undefined;
  if (cacheDir) {
    try {
      cachedData = readFileSync(join(cacheDir, name));
    } catch {
      cachedData = undefined;
    }
  }
  // The module wrapper Node itself uses, on the bundle's first line: line numbers in stack traces stay right.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const cache = !cacheDir ? 'off' : !cachedData ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
  const module = { exports: {} as T };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, dirname(file));
  return {
    exports: module.exports,
    cache,
    save() {
      if (!cacheDir || cache === 'hit') return;
      if (writeCacheEntry(cacheDir, name, script.createCachedData())) pruneCacheEntries(cacheDir, /^code-[0-9a-f]{64}\.bin$/, KEEP);
    },
  };
}
