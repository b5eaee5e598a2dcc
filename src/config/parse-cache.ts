import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDirFromEnvironment, pruneCacheEntries, writeCacheEntry } from '../common/cache-dir.js';

/** Changes whenever what is stored changes meaning: old entries are then never read. */
const FORMAT = 'release-gate parse cache 1';
/** Entries kept; past twice this many, the least recently written half goes. */
const KEEP = 256;

/**
 * The trees of config files parsed before, on disk by content: `plan` and `run` read a file
 * whose text they parsed before as JSON instead of loading the YAML library and parsing it
 * again (parsing was a third of `plan`'s 0.4 s, the library's loading another tenth).
 *
 * Only what is a pure function of the text is kept: the tree of a file that parsed with no
 * problem, keyed by the SHA-256 of the text and the parser's version. A file with a problem is
 * never stored (its errors come from the parser each time), nor a tree JSON cannot carry
 * exactly (`.inf`, `.nan`, `-0`). Nothing depends on the environment: interpolation and
 * validation run on every load.
 *
 * Where: the tool's cache folder (common/cache-dir.ts: `RELEASE_GATE_CACHE`, XDG, ~/.cache),
 * never one another user could write.
 */
export class ParseCache {
  private constructor(
    private readonly dir: string | null,
    private readonly parserVersion: string,
  ) {}

  static forEnvironment(env: Readonly<Record<string, string | undefined>>, parserVersion: string): ParseCache {
    return new ParseCache(cacheDirFromEnvironment(env), parserVersion);
  }

  get enabled(): boolean {
    return this.dir !== null;
  }

  /** The tree stored for this text, or undefined. */
  get(text: string): unknown {
    if (!this.dir) return undefined;
    const key = this.key(text);
    try {
      const entry = JSON.parse(readFileSync(join(this.dir, `${key}.json`), 'utf8')) as { key?: unknown; tree?: unknown };
      // A truncated or foreign file is a miss, never a tree.
      return entry.key === key ? entry.tree : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stores the tree of a text that parsed without problems; does nothing for a tree JSON would change. */
  put(text: string, tree: unknown): void {
    if (!this.dir || !jsonExact(tree)) return;
    const key = this.key(text);
    if (writeCacheEntry(this.dir, `${key}.json`, JSON.stringify({ key, tree }))) pruneCacheEntries(this.dir, /^[0-9a-f]{64}\.json$/, KEEP);
  }

  private key(text: string): string {
    return createHash('sha256').update(`${FORMAT}\0${this.parserVersion}\0`).update(text).digest('hex');
  }
}

/**
 * True when JSON gives this tree back exactly: plain objects and arrays (no cycle: yaml builds
 * one from an alias inside its own anchor), strings, booleans, null, finite numbers but -0.
 */
export function jsonExact(tree: unknown, ancestors = new Set<object>()): boolean {
  if (tree === null || typeof tree === 'string' || typeof tree === 'boolean') return true;
  if (typeof tree === 'number') return Number.isFinite(tree) && !Object.is(tree, -0);
  if (typeof tree !== 'object' || ancestors.has(tree)) return false;
  const proto = Object.getPrototypeOf(tree);
  if (!Array.isArray(tree) && proto !== Object.prototype && proto !== null) return false;
  ancestors.add(tree);
  const exact = (Array.isArray(tree) ? tree : Object.values(tree)).every((child) => jsonExact(child, ancestors));
  ancestors.delete(tree);
  return exact;
}
