import { createHash } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

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
 * Where: `RELEASE_GATE_CACHE` (a folder, or `off`), else `$XDG_CACHE_HOME/release-gate`, else
 * `~/.cache/release-gate`, from the process environment (a setting of the tool, not of the
 * config: a config's interpolation environment may be anything). A folder that another user owns or others may write is not used
 * (someone could plant a tree there), nor one that cannot be created: the cache is then off
 * and nothing is said, since loading works the same without it.
 */
export class ParseCache {
  private constructor(
    private readonly dir: string | null,
    private readonly parserVersion: string,
  ) {}

  static forEnvironment(env: Readonly<Record<string, string | undefined>>, parserVersion: string): ParseCache {
    const setting = env['RELEASE_GATE_CACHE'];
    if (setting === 'off') return new ParseCache(null, parserVersion);
    const dir = setting || join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'release-gate');
    return new ParseCache(usableDir(dir) ? dir : null, parserVersion);
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
    const tmp = join(this.dir, `.${key}.${process.pid}.tmp`);
    try {
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, JSON.stringify({ key, tree }));
      } finally {
        closeSync(fd);
      }
      // Atomic: a reader sees the whole entry or none.
      renameSync(tmp, join(this.dir, `${key}.json`));
      this.prune();
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        // never written
      }
    }
  }

  private key(text: string): string {
    return createHash('sha256').update(`${FORMAT}\0${this.parserVersion}\0`).update(text).digest('hex');
  }

  private prune(): void {
    const dir = this.dir as string;
    const names = readdirSync(dir).filter((n) => n.endsWith('.json'));
    if (names.length <= 2 * KEEP) return;
    const byAge = names.map((name) => ({ name, at: statSync(join(dir, name)).mtimeMs })).sort((a, b) => a.at - b.at);
    for (const { name } of byAge.slice(0, names.length - KEEP)) unlinkSync(join(dir, name));
  }
}

/** Ours alone: a folder (not a link) owned by this user that nobody else may write; created so when missing. */
function usableDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    const uid = process.getuid?.();
    return st.isDirectory() && (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
  } catch {
    return false;
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
