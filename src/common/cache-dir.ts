import { lstatSync, mkdirSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The tool's own cache folder (parsed config files, compiled code): `RELEASE_GATE_CACHE` (a
 * folder, or `off`), else `$XDG_CACHE_HOME/release-gate`, else `~/.cache/release-gate`, read
 * from the process environment (a setting of the tool, not of a config, whose interpolation
 * environment may be anything). Null when off, or when the folder is not ours alone: another
 * user who can write there could plant a tree or compiled code we would then trust. Nothing is
 * said then, since everything works the same without a cache, only slower.
 */
export function cacheDirFromEnvironment(env: Readonly<Record<string, string | undefined>>): string | null {
  const setting = env['RELEASE_GATE_CACHE'];
  if (setting === 'off') return null;
  const dir = setting || join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'release-gate');
  return usableCacheDir(dir) ? dir : null;
}

/** Ours alone: a folder (not a link) owned by this user that nobody else may write; created so when missing. */
export function usableCacheDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    const uid = process.getuid?.();
    return st.isDirectory() && (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** Past `2 × keep` entries matching `pattern`, removes the least recently written ones down to `keep`; never throws. */
export function pruneCacheEntries(dir: string, pattern: RegExp, keep: number): void {
  try {
    const names = readdirSync(dir).filter((n) => pattern.test(n));
    if (names.length <= 2 * keep) return;
    const byAge = names.map((name) => ({ name, at: statSync(join(dir, name)).mtimeMs })).sort((a, b) => a.at - b.at);
    for (const { name } of byAge.slice(0, names.length - keep)) unlinkSync(join(dir, name));
  } catch {
    // Another process pruned at the same time: the next write prunes again.
  }
}

/**
 * Writes one entry atomically (a reader sees the whole entry or none), readable by this user
 * alone; false when it could not be written (a full disk is no reason to fail a command).
 */
export function writeCacheEntry(dir: string, name: string, data: string | NodeJS.ArrayBufferView): boolean {
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  try {
    // writeFileSync writes until all is written (one writeSync may stop short on a large entry).
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, join(dir, name));
    return true;
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // never written
    }
    return false;
  }
}
