import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';

/** Symlinks followed by hand (dangling ones) before a path is judged unsafe: a loop must end. */
const MAX_LINK_HOPS = 40;

/**
 * Where the file system will really reach `path`: the longest existing prefix through
 * realpath (symlinks resolved), the rest appended. A dangling symlink on the way is followed
 * by hand, so `data -> /elsewhere/missing` counts as `/elsewhere/missing`, not as `data`.
 */
export function physicalPath(path: string): string {
  let at = resolve(path);
  const rest: string[] = [];
  for (let hops = 0; hops <= MAX_LINK_HOPS; ) {
    try {
      return join(realpathSync(at), ...rest);
    } catch {
      // Not there (or a dangling link, or no permission): judge what exists above it.
    }
    let link: string | null = null;
    try {
      link = lstatSync(at).isSymbolicLink() ? readlinkSync(at) : null;
    } catch {
      link = null;
    }
    if (link !== null) {
      at = resolve(dirname(at), link);
      hops++;
      continue;
    }
    const parent = dirname(at);
    if (parent === at) return join(at, ...rest);
    rest.unshift(basename(at));
    at = parent;
  }
  // A symlink loop: nothing on the other side can be trusted to be inside anything.
  return sep;
}

/** True when `inner` is strictly below `outer` (both physical, absolute). */
export function isStrictlyInside(inner: string, outer: string): boolean {
  const prefix = outer.endsWith(sep) ? outer : `${outer}${sep}`;
  return inner !== outer && inner.startsWith(prefix);
}

export interface ConfinedPath {
  /** The value resolved against its base (what the driver passes to rm). */
  path: string;
  /** Where it really leads (symlinks resolved). */
  physical: string;
  /** Why removing it is refused, or null when it is strictly inside the project root. */
  problem: string | null;
}

/**
 * Judges a path the gate may remove (a data dir, a build output): allowed only strictly inside
 * the project root, never the root itself, a parent of it, `/`, $HOME (or a parent of it),
 * nor through a symlink that leads out. An empty value resolves to its base: the root, refused.
 */
export function confinedPath(value: string, opts: { base: string; root: string; home?: string }): ConfinedPath {
  const path = resolve(opts.base, value);
  const physical = physicalPath(path);
  const root = physicalPath(opts.root);
  const home = physicalPath(opts.home ?? homedir());
  const through = physical !== path ? ` (through a symlink: ${physical})` : '';
  let problem: string | null = null;
  if (physical === sep) problem = `is / (the whole file system)${through}`;
  else if (physical === root) problem = `is the project root itself${through}`;
  else if (isStrictlyInside(root, physical)) problem = `is a parent of the project root ${root}${through}`;
  // $HOME may hold the project (a developer's checkout) or lie inside it (ROOT=$HOME/..): never removed either way.
  else if (physical === home || isStrictlyInside(home, physical)) problem = `is ${physical === home ? '' : 'a parent of '}$HOME (${home})${through}`;
  else if (!isStrictlyInside(physical, root)) problem = `is outside the project root ${root}${through}`;
  return { path, physical, problem };
}

/** Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: a name holding one could forge a console line. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * Why a value cannot be one file name inside the log dir (a log name, a step id), or null:
 * no `/` or `\`, not `.` or `..` (nor `..` anywhere), no control character or NUL, not empty.
 */
export function pathSegmentProblem(value: string): string | null {
  if (value === '') return 'is empty';
  if (CONTROL.test(value)) return 'holds a control character (newline, NUL…)';
  if (/[/\\]/.test(value)) return 'holds a path separator (/ or \\)';
  if (value.includes('..') || value === '.') return 'is or holds a relative path step (. or ..)';
  return null;
}
